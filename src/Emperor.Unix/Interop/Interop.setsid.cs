using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int setsid();
}
