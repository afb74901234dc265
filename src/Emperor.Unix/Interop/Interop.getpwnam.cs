using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>Returns struct passwd* (pw_uid at offset 16, pw_gid at 20 on LP64), or 0.</summary>
    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint getpwnam(string name);
}
