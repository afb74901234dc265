using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "setuid", SetLastError = true)]
    public static partial int setuid(uint uid);
}
