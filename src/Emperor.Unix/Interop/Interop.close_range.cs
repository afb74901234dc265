using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const uint CLOSE_RANGE_CLOEXEC = 4;

    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    public static partial int close_range(uint first, uint last, uint flags);
}
