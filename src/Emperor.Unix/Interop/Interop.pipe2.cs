using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

/// <summary>pipe2(2), read(2) and the fcntl commands a non-blocking pipe reader needs.</summary>
internal static partial class Sys
{
    public const int O_NONBLOCK = 0x800;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETPIPE_SZ = 1031;
    public const int EAGAIN = 11;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLERR = 0x008;

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static unsafe partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buffer, nuint count);
}
