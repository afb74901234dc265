using System.Net;
using System.Net.Sockets;
using Emperor.Core.Abstractions;
using Emperor.Core.Config.Options;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Net;

/// <summary>
/// The Emperor's subscription announces (issue #14 §3): one non-blocking UDP socket per address family and one
/// UNIX datagram socket, shared by every vassal. A send is one <c>sendto</c> of at most 4096 bytes, which never waits
/// on a non-blocking datagram socket, so it is done on the loop. A server that cannot be reached (no such UNIX path,
/// ICMP refusals reported as errors, a full buffer) costs one line per server and minute, never more.
/// </summary>
internal sealed partial class DatagramSender(ILogger logger, TimeProvider time) : IDatagramSender, IDisposable
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, EndPoint> _endpoints = new(StringComparer.Ordinal); // loop thread only
    private readonly Dictionary<string, long> _lastComplaint = new(StringComparer.Ordinal);
    private Socket? _udp4;
    private Socket? _udp6;
    private Socket? _unix;

    public long Sent { get; private set; }

    public long Failed { get; private set; }

    public void Send(string server, byte[] datagram)
    {
        try
        {
            if (!_endpoints.TryGetValue(server, out var endpoint))
            {
                _endpoints[server] = endpoint = Resolve(server);
            }

            var socket = SocketFor(endpoint);
            socket.SendTo(datagram, SocketFlags.None, endpoint);
            Sent++;
        }
        catch (Exception e) when (e is SocketException or FormatException or ObjectDisposedException)
        {
            Failed++;
            Complain(server, e is SocketException s ? s.SocketErrorCode.ToString() + ": " + s.Message : e.Message);
        }
    }

    private static EndPoint Resolve(string server)
    {
        var address = ServiceAddress.Parse(server);
        return address.Kind switch
        {
            ServiceAddressKind.Tcp => new IPEndPoint(address.ConnectIp, address.Port),
            ServiceAddressKind.UnixAbstract => new UnixDomainSocketEndPoint("\0" + address.Path),
            _ => new UnixDomainSocketEndPoint(address.Path),
        };
    }

    private Socket SocketFor(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } => _udp6 ??= Datagram(AddressFamily.InterNetworkV6, ProtocolType.Udp),
        IPEndPoint => _udp4 ??= Datagram(AddressFamily.InterNetwork, ProtocolType.Udp),
        _ => _unix ??= Datagram(AddressFamily.Unix, ProtocolType.Unspecified),
    };

    private static Socket Datagram(AddressFamily family, ProtocolType protocol) =>
        new(family, SocketType.Dgram, protocol) { Blocking = false };

    private void Complain(string server, string why)
    {
        var now = time.GetTimestamp();
        if (_lastComplaint.TryGetValue(server, out var last) && time.GetElapsedTime(last, now) < s_quiet)
        {
            return;
        }

        _lastComplaint[server] = now;
        LogSendFailed(logger, server, why);
    }

    public void Dispose()
    {
        _udp4?.Dispose();
        _udp6?.Dispose();
        _unix?.Dispose();
    }

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "[emperor] cannot announce to subscription server {Server}: {Why} (said at most once a minute)")]
    private static partial void LogSendFailed(ILogger logger, string server, string why);
}
