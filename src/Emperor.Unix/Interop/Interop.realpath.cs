using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>realpath(3) with a NULL buffer: the result is malloc'ed and must be released with <see cref="free"/>.</summary>
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint realpath(string path, nint resolved);
}
