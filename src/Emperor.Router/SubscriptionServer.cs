using System.Net;
using System.Net.Sockets;
using Emperor.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Emperor.Router;

/// <summary>
/// Receives subscription datagrams (spec §17): UDP when the address has ':', else a UNIX datagram socket. Whatever
/// arrives never stops the loop: a bad packet is counted and logged at most once per source per minute, so a flood
/// costs one line a minute.
/// </summary>
internal sealed class SubscriptionServer(string address, SubscriptionTable table, ILogger logger, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan s_logEvery = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, DateTimeOffset> _lastLogged = new(StringComparer.Ordinal);
    private Socket? _socket;
    private long _bad;

    public long BadPackets => Interlocked.Read(ref _bad);

    public EndPoint Bind()
    {
        var parsed = Emperor.Core.Config.Options.ServiceAddress.Parse(address);
        if (parsed.Kind == Emperor.Core.Config.Options.ServiceAddressKind.Tcp)
        {
            _socket = new Socket(parsed.Ip!.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }
        else
        {
            if (parsed.Kind == Emperor.Core.Config.Options.ServiceAddressKind.UnixPath && File.Exists(parsed.Path))
            {
                File.Delete(parsed.Path); // a stale datagram socket file from an earlier router
            }

            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }

        _socket.Bind(Front.EndPointOf(parsed, connect: false));
        return _socket.LocalEndPoint!;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new InvalidOperationException("Bind first");
        // One byte more than the limit, so an oversized datagram is seen as such rather than silently cut.
        var buffer = new byte[SubscriptionCodec.MaxPacket + 1];
        EndPoint any = socket.AddressFamily == AddressFamily.Unix ? new UnixDomainSocketEndPoint("\0") : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult got;
            try
            {
                got = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                RouterLog.ReceiveFailed(logger, address, e.Message);
                continue;
            }

            var source = got.RemoteEndPoint.ToString() ?? "?";
            var packet = SubscriptionCodec.Decode(buffer.AsSpan(0, got.ReceivedBytes), out var error);
            if (packet is null)
            {
                Interlocked.Increment(ref _bad);
                LogBad(source, error);
                continue;
            }

            if (table.Apply(packet))
            {
                RouterLog.Changed(logger, packet.Command == SubscriptionCommand.Subscribe ? "subscribe" : "unsubscribe", packet.Key, packet.Address, source);
            }
        }
    }

    private void LogBad(string source, string error)
    {
        var now = clock.GetUtcNow();
        if (_lastLogged.TryGetValue(source, out var last) && now - last < s_logEvery)
        {
            return;
        }

        _lastLogged[source] = now;
        RouterLog.BadPacket(logger, address, source, error, BadPackets);
    }

    public void Dispose() => _socket?.Dispose();
}
