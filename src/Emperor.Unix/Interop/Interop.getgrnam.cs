using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>Returns struct group* (gr_gid at offset 16 on LP64), or 0.</summary>
    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint getgrnam(string name);
}
