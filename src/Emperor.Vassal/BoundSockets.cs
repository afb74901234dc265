using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;
using Emperor.Unix.Accounts;
using Emperor.Unix.FileSystem;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>Binds the declared sockets while the vassal is still privileged (ports below 1024, socket paths).</summary>
internal static class BoundSockets
{
    /// <summary>Keeps the sockets alive until the exec: their fds must not be closed by a finaliser.</summary>
    private static readonly List<Socket> s_alive = [];

    public static List<(SocketSpec Spec, int Fd)> Bind(VassalPlan plan)
    {
        var result = new List<(SocketSpec, int)>();
        foreach (var spec in plan.Sockets)
        {
            if (spec.Kind == SocketAddressKind.Unix)
            {
                result.Add((spec, BindUnixPath(spec, plan)));
                continue;
            }

            Socket socket;
            try
            {
                socket = BindOne(spec, plan);
            }
            catch (SocketException e)
            {
                throw new VassalFailure($"cannot bind {spec.Option} {spec.Address}: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new VassalFailure($"cannot bind {spec.Option} {spec.Address}: {e.Message}");
            }

            s_alive.Add(socket);
            result.Add((spec, (int)socket.SafeHandle.DangerousGetHandle()));
        }

        return result;
    }

    private static Socket BindOne(SocketSpec spec, VassalPlan plan)
    {
        switch (spec.Kind)
        {
            case SocketAddressKind.Tcp:
                var ip = spec.Host.Length == 0 || spec.Host == "*" || spec.Host == "0.0.0.0"
                    ? IPAddress.Any
                    : IPAddress.TryParse(spec.Host, out var parsed) ? parsed : Dns.GetHostAddresses(spec.Host)[0];
                var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(new IPEndPoint(ip, spec.Port));
                tcp.Listen(plan.ListenBacklog);
                return tcp;
            case SocketAddressKind.Abstract:
                var abs = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                abs.Bind(new UnixDomainSocketEndPoint("\0" + spec.Path));
                abs.Listen(plan.ListenBacklog);
                return abs;
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "UNIX path sockets are bound by BindUnixPath");
        }
    }

    /// <summary>
    /// A UNIX path socket, through libc so that a failure reports the real errno text (ENOENT, ENOTDIR,
    /// EACCES, EROFS…) and an over-long path is one clear line instead of an exception.
    /// </summary>
    private static unsafe int BindUnixPath(SocketSpec spec, VassalPlan plan)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(spec.Path);
        if (path.Length >= Sys.SockaddrUnBytes - 2)
        {
            throw new VassalFailure($"cannot bind {spec.Option} {spec.Address}: the path is {path.Length} bytes; a UNIX socket path must be shorter than {Sys.SockaddrUnBytes - 2}");
        }

        // A socket file left by an earlier run is replaced (as uWSGI does); anything else at that path is not ours to delete.
        if (UnixFileSystem.Instance.TryStat(spec.Path, follow: false, out var existing, out _) && existing.Kind == FileKind.Socket)
        {
            try
            {
                File.Delete(spec.Path); // uWSGI unlinks a stale socket file too
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VassalFailure($"cannot bind {spec.Option} {spec.Address}: cannot remove the existing file: {e.Message}");
            }
        }

        var fd = Sys.socket(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new VassalFailure($"cannot create {spec.Option} {spec.Address}: {Errno()}");
        }

        byte* addr = stackalloc byte[Sys.SockaddrUnBytes];
        new Span<byte>(addr, Sys.SockaddrUnBytes).Clear();
        addr[0] = Sys.AF_UNIX;
        path.CopyTo(new Span<byte>(addr + 2, path.Length));
        if (Sys.bind(fd, addr, (uint)(2 + path.Length + 1)) != 0 || Sys.listen(fd, plan.ListenBacklog) != 0)
        {
            var why = Errno();
            Sys.close(fd);
            throw new VassalFailure($"cannot bind {spec.Option} {spec.Address}: {why}");
        }

        try
        {
            if (plan.ChmodSocket is { } mode)
            {
                File.SetUnixFileMode(spec.Path, (UnixFileMode)mode);
            }

            if (plan.ChownSocket is { } owner)
            {
                Chown(spec.Path, owner);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Sys.close(fd);
            throw new VassalFailure($"chmod-socket on {spec.Path}: {e.Message}");
        }

        return fd;
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());

    private static void Chown(string path, string owner)
    {
        var colon = owner.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? owner : owner[..colon];
        if (!Accounts.TryUser(user, out var uid, out var gid, out _))
        {
            throw new VassalFailure($"chown-socket {owner}: no such user \"{user}\"");
        }

        if (colon >= 0 && !Accounts.TryGroup(owner[(colon + 1)..], out gid))
        {
            throw new VassalFailure($"chown-socket {owner}: no such group \"{owner[(colon + 1)..]}\"");
        }

        if (Sys.chown(path, uid, gid) != 0)
        {
            throw new VassalFailure($"chown-socket {owner} on {path}: {Sys.strerror(Marshal.GetLastPInvokeError())}");
        }
    }
}
