using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "setgid", SetLastError = true)]
    public static partial int setgid(uint gid);
}
