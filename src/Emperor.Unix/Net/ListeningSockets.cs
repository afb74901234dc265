using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;
using Emperor.Unix.FileSystem;
using Emperor.Unix.Interop;
using Emperor.Unix.Processes;

namespace Emperor.Unix.Net;

/// <summary>
/// Binds the listening sockets a vassal config declares (TCP v4/v6, UNIX path, abstract), with <c>listen</c>,
/// <c>chmod-socket</c> and <c>chown-socket</c>, the same way for the vassal role and for the Emperor's held sockets.
/// Every fd is close-on-exec; a child gets a duplicate through the spawner. A failure is one line naming the option,
/// the address and the errno text.
/// </summary>
internal sealed class ListeningSockets : ISocketBinder
{
    public static ListeningSockets Instance { get; } = new();

    public IHeldSocket? Bind(SocketSpec spec, SocketOptions options, out string? error)
    {
        var fd = BindFd(spec, options, out error);
        return fd is null ? null : new Held(fd, spec.Kind == SocketAddressKind.Unix ? spec.Path : null);
    }

    /// <summary>Binds one socket; null with the reason on failure.</summary>
    public static SafeFd? BindFd(SocketSpec spec, SocketOptions options, out string? error)
    {
        if (spec.Kind == SocketAddressKind.Unix)
        {
            return BindUnixPath(spec, options, out error);
        }

        try
        {
            using var socket = BindManaged(spec, options.Backlog);

            // The Socket object would close its fd when collected: keep an owned duplicate instead.
            var dup = Sys.fcntl((int)socket.SafeHandle.DangerousGetHandle(), Sys.F_DUPFD_CLOEXEC, 3);
            if (dup < 0)
            {
                error = $"cannot bind {spec.Option} {spec.Address}: {Errno()}";
                return null;
            }

            error = null;
            return new SafeFd(dup);
        }
        catch (SocketException e)
        {
            error = $"cannot bind {spec.Option} {spec.Address}: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            error = $"cannot bind {spec.Option} {spec.Address}: {e.Message}";
        }

        return null;
    }

    private static Socket BindManaged(SocketSpec spec, int backlog)
    {
        switch (spec.Kind)
        {
            case SocketAddressKind.Tcp:
                var ip = spec.Host.Length == 0 || spec.Host == "*" || spec.Host == "0.0.0.0"
                    ? IPAddress.Any
                    : IPAddress.TryParse(spec.Host, out var parsed) ? parsed : Dns.GetHostAddresses(spec.Host)[0];
                var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    tcp.Bind(new IPEndPoint(ip, spec.Port));
                    tcp.Listen(backlog);
                    return tcp;
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }

            case SocketAddressKind.Abstract:
                var abs = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    abs.Bind(new UnixDomainSocketEndPoint("\0" + spec.Path));
                    abs.Listen(backlog);
                    return abs;
                }
                catch
                {
                    abs.Dispose();
                    throw;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "UNIX path sockets are bound by BindUnixPath");
        }
    }

    /// <summary>
    /// A UNIX path socket, through libc so that a failure reports the real errno text (ENOENT, ENOTDIR, EACCES,
    /// EROFS…) and an over-long path is one clear line instead of an exception.
    /// </summary>
    private static unsafe SafeFd? BindUnixPath(SocketSpec spec, SocketOptions options, out string? error)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(spec.Path);
        if (path.Length >= Sys.SockaddrUnBytes - 2)
        {
            error = $"cannot bind {spec.Option} {spec.Address}: the path is {path.Length} bytes; a UNIX socket path must be shorter than {Sys.SockaddrUnBytes - 2}";
            return null;
        }

        // A socket file left by an earlier run is replaced (as uWSGI does); anything else at that path is not ours to delete.
        if (UnixFileSystem.Instance.TryStat(spec.Path, follow: false, out var existing, out _) && existing.Kind == FileKind.Socket)
        {
            try
            {
                File.Delete(spec.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"cannot bind {spec.Option} {spec.Address}: cannot remove the existing file: {e.Message}";
                return null;
            }
        }

        var fd = new SafeFd(Sys.socket(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0));
        if (fd.IsInvalid)
        {
            error = $"cannot create {spec.Option} {spec.Address}: {Errno()}";
            return null;
        }

        byte* addr = stackalloc byte[Sys.SockaddrUnBytes];
        new Span<byte>(addr, Sys.SockaddrUnBytes).Clear();
        addr[0] = Sys.AF_UNIX;
        path.CopyTo(new Span<byte>(addr + 2, path.Length));
        if (Sys.bind(fd.Fd, addr, (uint)(2 + path.Length + 1)) != 0 || Sys.listen(fd.Fd, options.Backlog) != 0)
        {
            error = $"cannot bind {spec.Option} {spec.Address}: {Errno()}";
            fd.Dispose();
            return null;
        }

        if (options.ChmodSocket is { } mode)
        {
            try
            {
                File.SetUnixFileMode(spec.Path, (UnixFileMode)mode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"chmod-socket on {spec.Path}: {e.Message}";
                fd.Dispose();
                return null;
            }
        }

        if (options.ChownSocket is { } owner && Chown(spec.Path, owner) is { } why)
        {
            error = why;
            fd.Dispose();
            return null;
        }

        error = null;
        return fd;
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());

    private static string? Chown(string path, string owner)
    {
        var colon = owner.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? owner : owner[..colon];
        if (!Accounts.Accounts.TryUser(user, out var uid, out var gid, out _))
        {
            return $"chown-socket {owner}: no such user \"{user}\"";
        }

        if (colon >= 0 && !Accounts.Accounts.TryGroup(owner[(colon + 1)..], out gid))
        {
            return $"chown-socket {owner}: no such group \"{owner[(colon + 1)..]}\"";
        }

        return Sys.chown(path, uid, gid) != 0 ? $"chown-socket {owner} on {path}: {Errno()}" : null;
    }

    /// <summary>A held socket; a UNIX path socket's file is removed when it is closed, if it is still ours.</summary>
    private sealed class Held(SafeFd fd, string? path) : IHeldSocket
    {
        private readonly long? _inode = path is not null && UnixFileSystem.Instance.TryStat(path, follow: false, out var st, out _) ? st.Inode : null;

        public int Fd => fd.Fd;

        public void Dispose()
        {
            if (path is not null && _inode is { } ino && UnixFileSystem.Instance.TryStat(path, follow: false, out var st, out _) && st.Inode == ino && st.Kind == FileKind.Socket)
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Someone else's now (or not removable): leave it.
                }
            }

            fd.Dispose();
        }
    }
}
