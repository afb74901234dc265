using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>getgrgid(3); the struct group starts with <c>char *gr_name</c>. Not thread-safe: read the name at once.</summary>
    [LibraryImport("libc", EntryPoint = "getgrgid", SetLastError = true)]
    public static partial nint getgrgid(uint gid);
}
