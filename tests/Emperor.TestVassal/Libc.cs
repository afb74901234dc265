using System.Runtime.InteropServices;

namespace Emperor.TestVassal;

/// <summary>
/// The few libc calls the dummy vassal needs. Kept in one file on purpose: this is a test tool, not
/// the production interop layer (which follows the one-call-per-file rule in src/Emperor.Unix).
/// </summary>
internal static unsafe partial class Libc
{
    public const int FGetFd = 1;
    public const int FSetFd = 2;
    public const int FdCloexec = 1;
    public const int PrSetPdeathsig = 1;
    public const int PrGetPdeathsig = 2;
    public const int RlimitNproc = 6;
    public const int RlimitNofile = 7;
    public const int RlimitAs = 9;
    public const int Eintr = 4;

    [LibraryImport("libc")]
    public static partial int getppid();

    [LibraryImport("libc")]
    public static partial int getpgrp();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsid(int pid);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc")]
    public static partial uint getuid();

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc")]
    public static partial uint getgid();

    [LibraryImport("libc")]
    public static partial uint getegid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getgroups(int size, uint* list);

    /// <summary><c>struct rlimit</c> is two <c>rlim_t</c> (unsigned long) values: soft, hard.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int getrlimit(int resource, ulong* rlim);

    /// <summary>prctl is variadic; on Linux x64/arm64 passing the pointer as a plain argument is fine.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nint arg2);

    /// <summary>fcntl is variadic; only the int-argument commands (F_GETFD/F_SETFD) are used.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int execve(byte* path, byte** argv, byte** envp);
}
