using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>getpwuid(3); the struct passwd starts with <c>char *pw_name</c>. Not thread-safe: read the name at once.</summary>
    [LibraryImport("libc", EntryPoint = "getpwuid", SetLastError = true)]
    public static partial nint getpwuid(uint uid);
}
