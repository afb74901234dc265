using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nuint count);
}
