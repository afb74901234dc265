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
        var (backend, node) = await ConnectAsync(host, path, cancel).ConfigureAwait(false);
        using var _ = backend;
        if (backend is null)
        {
            return; // uWSGI's FastRouter closes too; nginx answers 502
        }

        if (node!.Http)
        {
            // A node that speaks HTTP gets the request as HTTP; its answer is HTTP, which is what nginx expects back.
            if (HttpRequestHead.FromUwsgiVars(decoded) is not { } head)
            {
                RouterLog.BadRequest(logger, kind, address, "uwsgi vars that are not an HTTP request (no REQUEST_METHOD or target)");
                return;
            }

            await backend.SendAsync(head, SocketFlags.None, cancel).ConfigureAwait(false);
        }
        else
        {
            await backend.SendAsync(header, SocketFlags.None, cancel).ConfigureAwait(false);
            await backend.SendAsync(vars, SocketFlags.None, cancel).ConfigureAwait(false);
        }

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
        var remoteAddr = remote?.Address.ToString() ?? string.Empty;
        var (backend, node) = await ConnectAsync(request.Host, request.Path, cancel).ConfigureAwait(false);
        using var _ = backend;
        if (backend is null)
        {
            await client.SendAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel).ConfigureAwait(false);
            return false;
        }

        if (node!.Http)
        {
            await backend.SendAsync(request.ToNodeHead(remoteAddr), SocketFlags.None, cancel).ConfigureAwait(false);
        }
        else
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
            await backend.SendAsync(header, SocketFlags.None, cancel).ConfigureAwait(false);
            await backend.SendAsync(block, SocketFlags.None, cancel).ConfigureAwait(false);
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
            await PumpAsync(client, backend, length, cancel).ConfigureAwait(false);
        }

        var selfDelimited = await PumpResponseAsync(backend, client, node.Http, cancel).ConfigureAwait(false);
        if (!(selfDelimited && request.KeepAlive))
        {
            client.Shutdown(SocketShutdown.Send);
            return false;
        }

        return true;
    }

    /// <summary>Picks a node and connects; a node that refuses is marked dead and the next one tried (three at most).</summary>
    private async Task<(Socket? Socket, SubscriptionNode? Node)> ConnectAsync(string host, string path, CancellationToken cancel)
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
                return (socket, node);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                table.MarkDead(node);
                RouterLog.NodeDead(logger, node.Key, node.Address, e.Message);
            }
        }

        Interlocked.Increment(ref _unrouted);
        RouterLog.NoNode(logger, kind, host, path);
        return (null, null);
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

    /// <summary>
    /// Copies the backend's response to the client until the backend closes; true when it delimited itself. The
    /// response of an HTTP node was asked for with <c>Connection: close</c>; when it carries its own length, its
    /// <c>Connection</c> header is dropped, so the client's connection can be kept.
    /// </summary>
    private async Task<bool> PumpResponseAsync(Socket from, Socket to, bool httpNode, CancellationToken cancel)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            var first = true;
            var selfDelimited = false;
            while (true)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timer.CancelAfter(timeout);
                var n = await from.ReceiveAsync(buffer.AsMemory(0, 16384), SocketFlags.None, timer.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return selfDelimited;
                }

                if (first)
                {
                    first = false;
                    var end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
                    if (end >= 0 && httpNode && HttpRequestHead.WithoutConnection(buffer.AsSpan(0, end + 2)) is { } head)
                    {
                        await to.SendAsync(head, SocketFlags.None, cancel).ConfigureAwait(false);
                        await to.SendAsync(buffer.AsMemory(end + 2, n - end - 2), SocketFlags.None, cancel).ConfigureAwait(false);
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
