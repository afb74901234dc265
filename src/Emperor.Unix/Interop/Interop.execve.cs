using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    public static unsafe partial int execve(byte* path, byte** argv, byte** envp);
}
