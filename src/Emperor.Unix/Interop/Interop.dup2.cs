using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);
}
