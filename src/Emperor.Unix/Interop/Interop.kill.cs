using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int ESRCH = 3;
    public const int EPERM = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int kill(int pid, int sig);
}
