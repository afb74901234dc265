using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    public static unsafe partial int sethostname(byte* name, nuint length);
}
