using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

/// <summary>fchmod(2) and lseek(2), for a vassal's own log file (<c>logfile-chmod</c>, its size for <c>log-maxsize</c>).</summary>
internal static partial class Sys
{
    public const int SEEK_END = 2;

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);
}
