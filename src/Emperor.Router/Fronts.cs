using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Emperor.Core.Protocol;
using Emperor.Core.Routing;
using Emperor.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Emperor.Router;

/// <summary>
/// The router's fronts (spec §17; uWSGI's FastRouter and HTTP router): <c>fastrouter</c> takes uwsgi-protocol requests
/// (nginx <c>uwsgi_pass</c>) and routes on their HTTP_HOST/PATH_INFO vars; <c>http</c> takes HTTP/1.x, routes on Host and
/// path, and talks uwsgi to the node. Each request goes to one subscribed node (weighted round robin); a node that
/// refuses the connection is marked dead and the next one is tried. A connection never outlives the timeout without
/// traffic. One request per backend connection, as uwsgi backends expect; the HTTP front keeps the client connection
/// when the response delimits itself.
/// </summary>
internal sealed class Front(string kind, string address, SubscriptionTable table, TimeSpan timeout, ILogger logger) : IDisposable
{
    private Socket? _listener;
    private long _requests;
    private long _unrouted;

    public string Kind => kind;

    public string Address => address;

    public long Requests => Interlocked.Read(ref _requests);

    public long Unrouted => Interlocked.Read(ref _unrouted);

    public EndPoint Bind()
    {
        _listener = Listen(address);
        return _listener.LocalEndPoint!;
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        var listener = _listener ?? throw new InvalidOperationException("Bind first");
        while (!cancel.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, cancel), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancel)
    {
        using (client)
        {
            try
            {
                if (kind == "fastrouter")
                {
                    await ServeUwsgiAsync(client, cancel).ConfigureAwait(false);
                }
                else
                {
                    while (await ServeHttpAsync(client, cancel).ConfigureAwait(false))
                    {
                    }
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or TimeoutException)
            {
                // The peer went away or was too slow: nothing more to do for this connection.
            }
        }
    }

    private async Task ServeUwsgiAsync(Socket client, CancellationToken cancel)
    {
        var header = new byte[UwsgiHeader.Length];
        if (!await ReadExactlyAsync(client, header, cancel).ConfigureAwait(false))
        {
            return;
        }

        UwsgiHeader.TryRead(header, out var h);
        var vars = new byte[h.Size];
        if (!await ReadExactlyAsync(client, vars, cancel).ConfigureAwait(false))
        {
            return;
        }

        var decoded = UwsgiVars.Decode(vars, out var why);
        if (decoded is null)
        {
            RouterLog.BadRequest(logger, kind, address, why);
            return;
        }

        var host = Find(decoded, "HTTP_HOST") ?? Find(decoded, "SERVER_NAME") ?? string.Empty;
        var path = Find(decoded, "PATH_INFO") ?? "/";
        using var backend = await ConnectAsync(host, path, cancel).ConfigureAwait(false);
        if (backend is null)
        {
            return; // uWSGI's FastRouter closes too; nginx answers 502
        }

        await backend.SendAsync(header, SocketFlags.None, cancel).ConfigureAwait(false);
        await backend.SendAsync(vars, SocketFlags.None, cancel).ConfigureAwait(false);

        // The body is CONTENT_LENGTH bytes (as nginx sends it); reading exactly that leaves nothing pending at the close.
        if (long.TryParse(Find(decoded, "CONTENT_LENGTH"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0)
        {
            await PumpAsync(client, backend, length, cancel).ConfigureAwait(false);
        }

        await PumpAsync(backend, client, long.MaxValue, cancel).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>One HTTP exchange; true when the client connection may carry another.</summary>
    private async Task<bool> ServeHttpAsync(Socket client, CancellationToken cancel)
    {
        var (head, extra) = await ReadHeadAsync(client, cancel).ConfigureAwait(false);
        if (head is null)
        {
            return false;
        }

        var request = HttpRequestHead.Parse(head, out var why);
        if (request is null)
        {
            RouterLog.BadRequest(logger, kind, address, why);
            await client.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
            return false;
        }

        var local = client.LocalEndPoint as IPEndPoint;
        var remote = client.RemoteEndPoint as IPEndPoint;
        var block = UwsgiVars.Encode(request.ToUwsgiVars(
            request.Host.Split(':')[0],
            local?.Port.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            remote?.Address.ToString() ?? string.Empty,
            remote?.Port.ToString(CultureInfo.InvariantCulture) ?? string.Empty));
        if (block is null)
        {
            await client.SendAsync("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
            return false;
        }

        using var backend = await ConnectAsync(request.Host, request.Path, cancel).ConfigureAwait(false);
        if (backend is null)
        {
            await client.SendAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
            return false;
        }

        var header = new byte[UwsgiHeader.Length];
        new UwsgiHeader(0, (ushort)block.Length, 0).Write(header);
        await backend.SendAsync(header, SocketFlags.None, cancel).ConfigureAwait(false);
        await backend.SendAsync(block, SocketFlags.None, cancel).ConfigureAwait(false);
        var length = request.ContentLength;
        if (extra.Length > 0)
        {
            var now = (int)Math.Min(extra.Length, length);
            await backend.SendAsync(extra.AsMemory(0, now), SocketFlags.None, cancel).ConfigureAwait(false);
            length -= now;
        }

        if (length > 0)
        {
            await PumpAsync(client, backend, length, cancel).ConfigureAwait(false);
        }

        var selfDelimited = await PumpResponseAsync(backend, client, cancel).ConfigureAwait(false);
        if (!(selfDelimited && request.KeepAlive))
        {
            client.Shutdown(SocketShutdown.Send);
            return false;
        }

        return true;
    }

    /// <summary>Picks a node and connects; a node that refuses is marked dead and the next one tried (three at most).</summary>
    private async Task<Socket?> ConnectAsync(string host, string path, CancellationToken cancel)
    {
        Interlocked.Increment(ref _requests);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (table.Route(host, path) is not { } node)
            {
                break;
            }

            try
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timer.CancelAfter(timeout);
                var socket = await Dial(node.Address, timer.Token).ConfigureAwait(false);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                table.MarkDead(node);
                RouterLog.NodeDead(logger, node.Key, node.Address, e.Message);
            }
        }

        Interlocked.Increment(ref _unrouted);
        RouterLog.NoNode(logger, kind, host, path);
        return null;
    }

    private static async Task<Socket> Dial(string address, CancellationToken cancel)
    {
        var socket = address.Contains(':', StringComparison.Ordinal)
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            EndPoint endpoint = socket.AddressFamily == AddressFamily.Unix ? new UnixDomainSocketEndPoint(address) : ParseTcp(address);
            await socket.ConnectAsync(endpoint, cancel).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IPEndPoint ParseTcp(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = address[..colon].Trim('[', ']');
        var ip = host.Length == 0 || host == "0.0.0.0" ? IPAddress.Loopback : IPAddress.Parse(host);
        return new IPEndPoint(ip, int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static Socket Listen(string address)
    {
        Socket socket;
        if (address.Contains(':', StringComparison.Ordinal))
        {
            var colon = address.LastIndexOf(':');
            var host = address[..colon].Trim('[', ']');
            var ip = host.Length == 0 ? IPAddress.Any : IPAddress.Parse(host);
            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture)));
        }
        else
        {
            if (File.Exists(address))
            {
                File.Delete(address);
            }

            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(address));
        }

        socket.Listen(100);
        return socket;
    }

    private async Task<(byte[]? Head, byte[] Extra)> ReadHeadAsync(Socket client, CancellationToken cancel)
    {
        var buffer = new byte[HttpRequestHead.MaxHead];
        var n = 0;
        while (n < buffer.Length)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timer.CancelAfter(timeout);
            var read = await client.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, timer.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return (null, []);
            }

            n += read;
            var end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return (buffer[..(end + 4)], buffer[(end + 4)..n]);
            }
        }

        RouterLog.BadRequest(logger, kind, address, $"a request head over {HttpRequestHead.MaxHead} bytes");
        return (null, []);
    }

    /// <summary>Copies the backend's response to the client until the backend closes; true when it delimited itself.</summary>
    private async Task<bool> PumpResponseAsync(Socket from, Socket to, CancellationToken cancel)
    {
        var buffer = new byte[16384];
        var first = true;
        var selfDelimited = false;
        while (true)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timer.CancelAfter(timeout);
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, timer.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return selfDelimited;
            }

            if (first)
            {
                first = false;
                var end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
                selfDelimited = end >= 0 && HttpRequestHead.ResponseIsSelfDelimited(buffer.AsSpan(0, end + 2));
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, long limit, CancellationToken cancel)
    {
        var buffer = new byte[16384];
        while (limit > 0)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timer.CancelAfter(timeout);
            var n = await from.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit)), SocketFlags.None, timer.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
            limit -= n;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancel)
    {
        var n = 0;
        while (n < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            n += read;
        }

        return true;
    }

    private static string? Find(List<KeyValuePair<string, string>> vars, string key) =>
        vars.FindIndex(kv => kv.Key == key) is var i and >= 0 ? vars[i].Value : null;

    public void Dispose() => _listener?.Dispose();
}
