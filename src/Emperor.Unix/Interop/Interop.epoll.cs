using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

/// <summary>
/// epoll(7). struct epoll_event is packed on x86-64 (12 bytes: events at 0, data at 4) and naturally aligned
/// elsewhere (16 bytes: data at 8); callers use <see cref="EpollEventBytes"/> and <see cref="EpollDataOffset"/>.
/// </summary>
internal static partial class Sys
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x001;
    public const int EINTR = 4;

    public static readonly int EpollEventBytes = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeout);
}
