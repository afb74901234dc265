using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int R_OK = 4;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int access(string path, int mode);
}
