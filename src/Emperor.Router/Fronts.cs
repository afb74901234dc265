using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Emperor.Core.Config.Options;
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
    private readonly NodePool _pool = new();
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

            if (client.AddressFamily != AddressFamily.Unix)
            {
                client.NoDelay = true; // responses go out in one or two writes: never wait for the client's delayed ACK
            }

            // Served inline up to its first wait for the network (then on the pool): no thread hop per connection.
            _ = ServeAsync(client, cancel);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancel)
    {
        // One deadline per connection, re-armed before each read: "timeout seconds without traffic".
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using (client)
        {
            try
            {
                if (kind == "fastrouter")
                {
                    await ServeUwsgiAsync(client, deadline).ConfigureAwait(false);
                }
                else
                {
                    while (await ServeHttpAsync(client, deadline).ConfigureAwait(false))
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

    private async Task ServeUwsgiAsync(Socket client, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;

        // The header and the vars in as few reads as they arrive in (one, from nginx), into a pooled buffer; body
        // bytes that came along are passed on first.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(UwsgiHeader.Length + UwsgiVars.MaxBlock + 16384);
        try
        {
            var n = 0;
            var need = UwsgiHeader.Length;
            var size = -1;
            while (n < need)
            {
                deadline.CancelAfter(timeout);
                var read = await client.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, cancel).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                n += read;
                if (size < 0 && n >= UwsgiHeader.Length)
                {
                    UwsgiHeader.TryRead(buffer, out var h);
                    size = h.Size;
                    need = UwsgiHeader.Length + size;
                }
            }

            var packet = buffer.AsMemory(0, need);
            if (!UwsgiVars.TryRoutingVars(packet.Span[UwsgiHeader.Length..], out var host, out var path, out var length, out var why))
            {
                RouterLog.BadRequest(logger, kind, address, why);
                return;
            }

            var (backend, node) = await ConnectAsync(host, path, deadline).ConfigureAwait(false);
            using var _ = backend;
            if (backend is null)
            {
                return; // uWSGI's FastRouter closes too; nginx answers 502
            }

            if (node!.Http)
            {
                // A node that speaks HTTP gets the request as HTTP; its answer is HTTP, which is what nginx expects back.
                if (UwsgiVars.Decode(packet.Span[UwsgiHeader.Length..], out why) is not { } decoded || HttpRequestHead.FromUwsgiVars(decoded) is not { } head)
                {
                    RouterLog.BadRequest(logger, kind, address, "uwsgi vars that are not an HTTP request (no REQUEST_METHOD or target, or not UTF-8)");
                    return;
                }

                await backend.SendAsync(head, SocketFlags.None, cancel).ConfigureAwait(false);
            }
            else
            {
                await backend.SendAsync(packet, SocketFlags.None, cancel).ConfigureAwait(false);
            }

            // The body is CONTENT_LENGTH bytes (as nginx sends it); reading exactly that leaves nothing pending at the close.
            var early = (int)Math.Min(n - need, length);
            if (early > 0)
            {
                await backend.SendAsync(buffer.AsMemory(need, early), SocketFlags.None, cancel).ConfigureAwait(false);
            }

            if (length - early > 0)
            {
                await PumpAsync(client, backend, length - early, deadline).ConfigureAwait(false);
            }

            await PumpAsync(backend, client, long.MaxValue, deadline).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One HTTP exchange; true when the client connection may carry another.</summary>
    private async Task<bool> ServeHttpAsync(Socket client, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var (head, extra) = await ReadHeadAsync(client, deadline).ConfigureAwait(false);
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
        var remoteAddr = remote?.Address.ToString() ?? string.Empty;
        var (connected, node, reused) = await ConnectAsync(request.Host, request.Path, deadline, pooled: true).ConfigureAwait(false);
        if (connected is null)
        {
            await client.SendAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
            return false;
        }

        if (node!.Http)
        {
            return await ExchangeWithHttpNodeAsync(client, request, extra, connected, node, reused, remoteAddr, deadline).ConfigureAwait(false);
        }

        using var backend = connected;
        {
            var block = UwsgiVars.Encode(request.ToUwsgiVars(
                request.Host.Split(':')[0],
                local?.Port.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                remoteAddr,
                remote?.Port.ToString(CultureInfo.InvariantCulture) ?? string.Empty));
            if (block is null)
            {
                await client.SendAsync("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
                return false;
            }

            var header = new byte[UwsgiHeader.Length];
            new UwsgiHeader(0, (ushort)block.Length, 0).Write(header);
            await backend.SendAsync([new(header), new(block)], SocketFlags.None).ConfigureAwait(false); // one writev
        }

        var length = request.ContentLength;
        if (extra.Length > 0)
        {
            var now = (int)Math.Min(extra.Length, length);
            await backend.SendAsync(extra.AsMemory(0, now), SocketFlags.None, cancel).ConfigureAwait(false);
            length -= now;
        }

        if (length > 0)
        {
            await PumpAsync(client, backend, length, deadline).ConfigureAwait(false);
        }

        var selfDelimited = await PumpResponseAsync(backend, client, node.Http, deadline).ConfigureAwait(false);
        if (!(selfDelimited && request.KeepAlive))
        {
            client.Shutdown(SocketShutdown.Send);
            return false;
        }

        return true;
    }

    /// <summary>
    /// One request to a node that speaks HTTP, on a kept connection when there is one: the request keeps the node
    /// connection alive, and the response is followed to its end (<see cref="HttpResponseBody"/>) so the connection
    /// goes back to the pool. A kept connection the node closed before answering is replaced by a new one once, for a
    /// request without a body. True when the client connection may carry another request.
    /// </summary>
    private async Task<bool> ExchangeWithHttpNodeAsync(Socket client, HttpRequestHead request, byte[] extra, Socket backend, SubscriptionNode node, bool reused, string remoteAddr, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var head = request.ToNodeHead(remoteAddr, keepAlive: true);
        var keepNode = false;
        try
        {
            while (true)
            {
                var length = request.ContentLength;
                var now = (int)Math.Min(extra.Length, length);
                var sent = true;
                try
                {
                    if (now > 0)
                    {
                        await backend.SendAsync([new(head), new(extra, 0, now)], SocketFlags.None).ConfigureAwait(false);
                    }
                    else
                    {
                        await backend.SendAsync(head, SocketFlags.None, cancel).ConfigureAwait(false);
                    }
                }
                catch (SocketException)
                {
                    sent = false; // the node went away (a kept connection it closed, or it died): retried or answered 502 below
                }

                if (sent && length - now > 0)
                {
                    await PumpAsync(client, backend, length - now, deadline).ConfigureAwait(false);
                }

                var (answered, keepClient, nodeReusable) = sent
                    ? await RelayHttpResponseAsync(backend, client, request, deadline).ConfigureAwait(false)
                    : (false, false, false);
                if (!answered && reused && length == 0)
                {
                    // The node closed the idle connection just as we took it: once more on a new one.
                    backend.Dispose();
                    deadline.CancelAfter(timeout);
                    reused = false;
                    try
                    {
                        backend = await Dial(node.Address, cancel).ConfigureAwait(false);
                        continue;
                    }
                    catch (SocketException)
                    {
                        backend = new Socket(SocketType.Stream, ProtocolType.Tcp); // disposed below; the client gets a 502
                    }
                }

                keepNode = answered && nodeReusable;
                if (!answered)
                {
                    await client.SendAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
                }

                if (!keepClient)
                {
                    client.Shutdown(SocketShutdown.Send);
                    return false;
                }

                return true;
            }
        }
        finally
        {
            if (keepNode)
            {
                _pool.Return(node.Address, backend);
            }
            else
            {
                backend.Dispose();
            }
        }
    }

    /// <summary>
    /// Relays one response from an HTTP node: its head without hop-by-hop headers, then its body to the end the head
    /// gives. Answered: at least the head came; KeepClient: the client connection can carry another request; NodeReusable:
    /// the node connection can.
    /// </summary>
    private async Task<(bool Answered, bool KeepClient, bool NodeReusable)> RelayHttpResponseAsync(Socket from, Socket to, HttpRequestHead request, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(HttpRequestHead.MaxHead);
        try
        {
            var n = 0;
            var end = -1;
            while (end < 0)
            {
                if (n == HttpRequestHead.MaxHead)
                {
                    // A head we cannot hold: pass it on raw and end with the node's close.
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
                    await PumpAsync(from, to, long.MaxValue, deadline).ConfigureAwait(false);
                    return (true, false, false);
                }

                deadline.CancelAfter(timeout);
                int read;
                try
                {
                    read = await from.ReceiveAsync(buffer.AsMemory(n, HttpRequestHead.MaxHead - n), SocketFlags.None, cancel).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    read = 0; // the node reset the connection before its head was complete: as if it closed
                }

                if (read == 0)
                {
                    if (n > 0)
                    {
                        await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
                    }

                    return (n > 0, false, false);
                }

                n += read;
                end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
            }

            var body = HttpResponseBody.For(buffer.AsSpan(0, end + 2), request.Method == "HEAD");
            if (body is null)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
                await PumpAsync(from, to, long.MaxValue, deadline).ConfigureAwait(false);
                return (true, false, false);
            }

            var keepClient = request.KeepAlive && request.Protocol == "HTTP/1.1" && !body.UntilClose;
            var clientHead = HttpRequestHead.ResponseHeadForClient(buffer.AsSpan(0, end + 2), close: !keepClient);
            var rest = n - end - 4;
            var take = body.Consume(buffer.AsSpan(end + 4, rest));
            var leftover = take < rest;
            await to.SendAsync([new(clientHead), new(buffer, end + 4, take)], SocketFlags.None).ConfigureAwait(false);
            while (!body.Done && !leftover)
            {
                deadline.CancelAfter(timeout);
                var read = await from.ReceiveAsync(buffer.AsMemory(0, 16384), SocketFlags.None, cancel).ConfigureAwait(false);
                if (read == 0)
                {
                    return (true, keepClient && body.UntilClose, false);
                }

                take = body.Consume(buffer.AsSpan(0, read));
                leftover = take < read;
                await to.SendAsync(buffer.AsMemory(0, take), SocketFlags.None, cancel).ConfigureAwait(false);
            }

            return (true, keepClient && body.Done, body.Done && body.KeepAlive && !leftover);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Picks a node and connects; a node that refuses is marked dead and the next one tried (three at most).</summary>
    private async Task<(Socket? Socket, SubscriptionNode? Node)> ConnectAsync(string host, string path, CancellationTokenSource deadline) =>
        await ConnectAsync(host, path, deadline, pooled: false).ConfigureAwait(false) is var (socket, node, _) ? (socket, node) : default;

    /// <summary>As above; with <paramref name="pooled"/>, an idle connection to an HTTP node is taken when there is one.</summary>
    private async Task<(Socket? Socket, SubscriptionNode? Node, bool Reused)> ConnectAsync(string host, string path, CancellationTokenSource deadline, bool pooled)
    {
        var cancel = deadline.Token;
        Interlocked.Increment(ref _requests);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (table.Route(host, path) is not { } node)
            {
                break;
            }

            if (pooled && node.Http && _pool.TryTake(node.Address) is { } idle)
            {
                node.CountRequest();
                return (idle, node, true);
            }

            try
            {
                deadline.CancelAfter(timeout);
                var socket = await Dial(node.Address, cancel).ConfigureAwait(false);
                node.CountRequest();
                return (socket, node, false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                node.CountFailure();
                table.MarkDead(node);
                RouterLog.NodeDead(logger, node.Key, node.Address, e.Message);
            }
        }

        Interlocked.Increment(ref _unrouted);
        RouterLog.NoNode(logger, kind, host, path);
        return (null, null, false);
    }

    private static async Task<Socket> Dial(string address, CancellationToken cancel)
    {
        if (!ServiceAddress.TryParse(address, out var parsed, out var error))
        {
            throw new SocketException((int)SocketError.AddressNotAvailable, $"{address}: {error}");
        }

        var endpoint = EndPointOf(parsed, connect: true);
        var socket = parsed.Kind == ServiceAddressKind.Tcp
            ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endpoint, cancel).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The endpoint of an address as every service of ours reads it (<see cref="ServiceAddress"/>).</summary>
    internal static EndPoint EndPointOf(ServiceAddress address, bool connect) => address.Kind switch
    {
        ServiceAddressKind.Tcp => new IPEndPoint(connect ? address.ConnectIp : address.Ip!, address.Port),
        ServiceAddressKind.UnixAbstract => new UnixDomainSocketEndPoint("\0" + address.Path),
        _ => new UnixDomainSocketEndPoint(address.Path),
    };

    /// <summary>A listening stream socket on an address (a stale UNIX socket file is replaced).</summary>
    internal static Socket Listen(string address)
    {
        var parsed = ServiceAddress.Parse(address);
        Socket socket;
        if (parsed.Kind == ServiceAddressKind.Tcp)
        {
            socket = new Socket(parsed.Ip!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
        else
        {
            if (parsed.Kind == ServiceAddressKind.UnixPath && File.Exists(parsed.Path))
            {
                File.Delete(parsed.Path);
            }

            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }

        socket.Bind(EndPointOf(parsed, connect: false));
        socket.Listen(1024);
        return socket;
    }

    private async Task<(byte[]? Head, byte[] Extra)> ReadHeadAsync(Socket client, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(HttpRequestHead.MaxHead);
        try
        {
            return await ReadHeadIntoAsync(client, buffer, deadline).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(byte[]? Head, byte[] Extra)> ReadHeadIntoAsync(Socket client, byte[] buffer, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var n = 0;
        while (n < HttpRequestHead.MaxHead)
        {
            deadline.CancelAfter(timeout);
            var read = await client.ReceiveAsync(buffer.AsMemory(n, HttpRequestHead.MaxHead - n), SocketFlags.None, cancel).ConfigureAwait(false);
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

    /// <summary>
    /// Copies the backend's response to the client until the backend closes; true when it delimited itself. The
    /// response of an HTTP node was asked for with <c>Connection: close</c>; when it carries its own length, its
    /// <c>Connection</c> header is dropped, so the client's connection can be kept.
    /// </summary>
    private async Task<bool> PumpResponseAsync(Socket from, Socket to, bool httpNode, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            var first = true;
            var selfDelimited = false;
            while (true)
            {
                deadline.CancelAfter(timeout);
                var n = await from.ReceiveAsync(buffer.AsMemory(0, 16384), SocketFlags.None, cancel).ConfigureAwait(false);
                if (n == 0)
                {
                    if (first)
                    {
                        // The node closed without a byte of answer (it died mid-request): the client gets a 502, not silence.
                        await to.SendAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
                    }

                    return selfDelimited;
                }

                if (first)
                {
                    first = false;
                    var end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
                    if (end >= 0 && httpNode && HttpRequestHead.WithoutConnection(buffer.AsSpan(0, end + 2)) is { } head)
                    {
                        var joined = new byte[head.Length + n - end - 2];
                        head.CopyTo(joined, 0);
                        buffer.AsSpan(end + 2, n - end - 2).CopyTo(joined.AsSpan(head.Length));
                        await to.SendAsync(joined, SocketFlags.None, cancel).ConfigureAwait(false);
                        selfDelimited = true;
                        continue;
                    }

                    selfDelimited = end >= 0 && HttpRequestHead.ResponseIsSelfDelimited(buffer.AsSpan(0, end + 2));
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, long limit, CancellationTokenSource deadline)
    {
        var cancel = deadline.Token;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            while (limit > 0)
            {
                deadline.CancelAfter(timeout);
                var n = await from.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(16384, limit)), SocketFlags.None, cancel).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel).ConfigureAwait(false);
                limit -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _pool.Dispose();
    }
}
