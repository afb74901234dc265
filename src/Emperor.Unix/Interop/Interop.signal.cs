using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public static readonly nint SIG_DFL = 0;

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    public static partial nint signal(int signum, nint handler);
}
