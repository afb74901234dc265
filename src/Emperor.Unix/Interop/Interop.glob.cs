using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int GLOB_MARK = 1 << 1;
    public const int GLOB_NOCHECK = 1 << 4;

    /// <summary>glibc's glob_t is 72 bytes on 64-bit; a larger zeroed buffer is passed. gl_pathc is at 0, gl_pathv at 8.</summary>
    public const int GlobTBytes = 128;

    [LibraryImport("libc", EntryPoint = "glob", StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int glob(string pattern, int flags, nint errfunc, byte* pglob);

    [LibraryImport("libc", EntryPoint = "globfree")]
    public static unsafe partial void globfree(byte* pglob);
}
