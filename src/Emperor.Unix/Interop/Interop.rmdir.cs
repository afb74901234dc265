using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EBUSY = 16;

    [LibraryImport("libc", EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int rmdir(string path);
}
