using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int getppid();
}
