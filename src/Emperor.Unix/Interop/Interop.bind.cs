using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>sizeof(struct sockaddr_un): sa_family_t (2 bytes) + sun_path[108].</summary>
    public const int SockaddrUnBytes = 110;

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int bind(int sockfd, byte* addr, uint addrlen);
}
