using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Emperor.Vassal.Tests;

/// <summary>The libc calls these tests need: file owner and type (statx), chown, and socket diagnostics.</summary>
internal static unsafe partial class Native
{
    private const int AtFdcwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int AfNetlink = 16;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmsgDone = 3;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 1;
    private const ushort NlmFDump = 0x300;
    private const byte IpprotoTcp = 6;
    private const int TcpListen = 10;

    /// <summary>Owner and mode (type bits included) of a path, following symlinks.</summary>
    public static (uint Uid, uint Gid, uint Mode) Stat(string path)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdcwd, path, 0, StatxBasicStats, buffer) != 0)
        {
            throw new IOException($"statx({path}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (u16) at 28, on every architecture.
        return (*(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28));
    }

    public static (uint Uid, uint Gid) Owner(string path)
    {
        var (uid, gid, _) = Stat(path);
        return (uid, gid);
    }

    public static void Chown(string path, int uid, int gid)
    {
        if (chown(path, (uint)uid, (uint)gid) != 0)
        {
            throw new IOException($"chown({path}, {uid}, {gid}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>
    /// Every listening TCP socket of one address family (AF_INET 2, AF_INET6 10) as the kernel's sock_diag
    /// reports it (what <c>ss -lt</c> shows): for a listener, RecvQueue is the number of connections waiting
    /// in its accept queue and SendQueue its backlog (the <c>listen()</c> argument).
    /// </summary>
    public static IReadOnlyList<ListeningSocket> TcpListeners(byte family)
    {
        var fd = socket(AfNetlink, SockDgram | SockCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            throw new IOException($"socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            // struct nlmsghdr (16 bytes) + struct inet_diag_req_v2 (8 bytes + a zeroed 48-byte inet_diag_sockid).
            var request = new byte[72];
            BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), SockDiagByFamily);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), NlmFRequest | NlmFDump);
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), 1);
            request[16] = family;
            request[17] = IpprotoTcp;
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(20), 1u << TcpListen);
            fixed (byte* r = request)
            {
                if (send(fd, r, (nuint)request.Length, 0) != request.Length)
                {
                    throw new IOException($"send(sock_diag request) failed with errno {Marshal.GetLastPInvokeError()}.");
                }
            }

            var found = new List<ListeningSocket>();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                nint n;
                fixed (byte* b = buffer)
                {
                    n = recv(fd, b, (nuint)buffer.Length, 0);
                }

                if (n <= 0)
                {
                    throw new IOException($"recv(sock_diag) failed with errno {Marshal.GetLastPInvokeError()}.");
                }

                for (var offset = 0; offset + 16 <= n;)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
                    var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
                    if (type == NlmsgDone)
                    {
                        return found;
                    }

                    if (type == NlmsgError || length < 16)
                    {
                        throw new IOException("sock_diag answered with an error.");
                    }

                    // struct inet_diag_msg: sport (big endian) at 4, then idiag_rqueue 56, idiag_wqueue 60, idiag_inode 68.
                    var message = buffer.AsSpan(offset + 16);
                    found.Add(new ListeningSocket(
                        BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(message[68..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(message[56..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(message[60..])));
                    offset += (length + 3) & ~3;
                }
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

/// <summary>A listening TCP socket: its port, inode (as in <c>socket:[INODE]</c>), accept queue length and backlog.</summary>
internal readonly record struct ListeningSocket(int Port, uint Inode, uint RecvQueue, uint SendQueue);
