using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static unsafe partial int setgroups(nuint size, uint* list);
}
