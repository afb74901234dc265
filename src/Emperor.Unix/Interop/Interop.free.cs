using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void free(nint pointer);
}
