using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static unsafe partial int socketpair(int domain, int type, int protocol, int* sv);
}
