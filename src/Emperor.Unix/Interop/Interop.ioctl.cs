using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>SIOCOUTQ (= TIOCOUTQ): for AF_UNIX, bytes sent and not yet read by the peer.</summary>
    public const nuint SIOCOUTQ = 0x5411;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int ioctl(int fd, nuint request, int* arg);
}
