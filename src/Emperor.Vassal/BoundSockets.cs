using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Emperor.Core.VassalRole;
using Emperor.Unix.Accounts;
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
                if (File.Exists(spec.Path) || Directory.Exists(spec.Path))
                {
                    File.Delete(spec.Path); // uWSGI unlinks a stale socket file too
                }

                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                unix.Bind(new UnixDomainSocketEndPoint(spec.Path));
                unix.Listen(plan.ListenBacklog);
                if (plan.ChmodSocket is { } mode)
                {
                    File.SetUnixFileMode(spec.Path, (UnixFileMode)mode);
                }

                if (plan.ChownSocket is { } owner)
                {
                    Chown(spec.Path, owner);
                }

                return unix;
        }
    }

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
