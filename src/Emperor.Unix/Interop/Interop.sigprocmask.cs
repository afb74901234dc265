using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int SIG_SETMASK = 2;

    /// <summary>glibc sigset_t is 1024 bits.</summary>
    public const int SigsetBytes = 128;

    [LibraryImport("libc", EntryPoint = "sigprocmask", SetLastError = true)]
    public static unsafe partial int sigprocmask(int how, byte* set, byte* oldset);
}
