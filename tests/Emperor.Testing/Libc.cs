using System.Runtime.InteropServices;

namespace Emperor.Testing;

/// <summary>The few libc calls the helpers need (test code: one file rather than one per call).</summary>
internal static unsafe partial class Libc
{
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    public const int FGetFd = 1;
    public const int FSetFd = 2;
    public const int FdCloexec = 1;
    public const int Esrch = 3;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* sv);

    /// <summary>fcntl is variadic; only the int-argument commands (F_GETFD/F_SETFD) are used.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    public static partial int getpgrp();
}
