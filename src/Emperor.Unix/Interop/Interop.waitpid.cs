using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static unsafe partial int waitpid(int pid, int* status, int options);
}
