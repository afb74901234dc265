using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Core.Routing;
using Emperor.Core.Subscriptions;
using Emperor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emperor.Router.Tests;

/// <summary>
/// The http and fastrouter fronts in front of a real uWSGI WSGI app that subscribed itself (<c>--subscribe-to</c>):
/// routed by Host, 502 for an unknown host, keep-alive when the response delimits itself, a dead node skipped.
/// </summary>
public sealed class FrontTests
{
    private const string App = """
        import os
        def application(environ, start_response):
            body = ('%s %s %s' % (os.getpid(), environ['HTTP_HOST'], environ['PATH_INFO'])).encode()
            start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
            return [body]
        """;

    [Fact(Timeout = 60_000)]
    public async Task Http_and_fastrouter_fronts_route_a_subscribed_uwsgi_app()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("router");
        var app = dir.WriteFile("app.py", App);
        var subscriptions = FreePort.Tcp();
        var table = new SubscriptionTable(TimeProvider.System);
        using var server = new SubscriptionServer($"127.0.0.1:{subscriptions}", table, NullLogger.Instance, TimeProvider.System);
        using var http = new Front("http", $"127.0.0.1:{FreePort.Tcp()}", table, TimeSpan.FromSeconds(10), NullLogger.Instance);
        using var fast = new Front("fastrouter", $"127.0.0.1:{FreePort.Tcp()}", table, TimeSpan.FromSeconds(10), NullLogger.Instance);
        server.Bind();
        var httpPort = ((IPEndPoint)http.Bind()).Port;
        var fastPort = ((IPEndPoint)fast.Bind()).Port;
        using var stop = new CancellationTokenSource();
        var loops = new[] { server.RunAsync(stop.Token), http.RunAsync(stop.Token), fast.RunAsync(stop.Token) };

        // A node that is subscribed but refuses connections: it must be skipped, not fail the request.
        var dead = $"127.0.0.1:{FreePort.Tcp()}";
        table.Apply(new SubscriptionPacket(SubscriptionCommand.Subscribe, "example.com", dead));
        var node = $"127.0.0.1:{FreePort.Tcp()}";
        using var uwsgi = Process.Start(new ProcessStartInfo("/usr/bin/uwsgi-core", ["--plugin", "python3", "--master", "--socket", node, "--wsgi-file", app, "--subscribe-to", $"127.0.0.1:{subscriptions}:example.com", "--subscribe-freq", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await Wait.UntilAsync(() => table.Snapshot().Any(n => n.Address == node), Deadlines.Emperor, "uwsgi's subscription", cancel);

            // HTTP: two requests on one connection (the response has a Content-Length), the dead node skipped.
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, httpPort, cancel);
            var stream = client.GetStream();
            var first = await ExchangeAsync(stream, "GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", cancel);
            var second = await ExchangeAsync(stream, "GET /two HTTP/1.1\r\nHost: EXAMPLE.com\r\n\r\n", cancel);
            Assert.StartsWith("HTTP/1.1 200 OK", first, StringComparison.Ordinal);
            Assert.EndsWith(" example.com /a b", first, StringComparison.Ordinal);
            Assert.EndsWith(" EXAMPLE.com /two", second, StringComparison.Ordinal);

            using var other = new TcpClient();
            await other.ConnectAsync(IPAddress.Loopback, httpPort, cancel);
            Assert.StartsWith("HTTP/1.1 502", await ExchangeAsync(other.GetStream(), "GET / HTTP/1.1\r\nHost: nobody.example\r\n\r\n", cancel), StringComparison.Ordinal);

            // fastrouter: a uwsgi packet as nginx's uwsgi_pass sends it.
            var block = UwsgiVars.Encode([new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/fast"), new("HTTP_HOST", "example.com"), new("SERVER_PROTOCOL", "HTTP/1.1"), new("QUERY_STRING", string.Empty), new("SERVER_NAME", "x"), new("SERVER_PORT", "80")])!;
            using var uw = new TcpClient();
            await uw.ConnectAsync(IPAddress.Loopback, fastPort, cancel);
            var packet = new byte[4 + block.Length];
            BinaryPrimitives.WriteUInt16LittleEndian(packet.AsSpan(1), (ushort)block.Length);
            block.CopyTo(packet, 4);
            await uw.GetStream().WriteAsync(packet, cancel);
            using var reader = new StreamReader(uw.GetStream(), Encoding.ASCII);
            var answer = await reader.ReadToEndAsync(cancel).WaitAsync(Deadlines.Emperor, cancel);
            Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
            Assert.EndsWith(" example.com /fast", answer, StringComparison.Ordinal);
            Assert.Equal(3, http.Requests);
            Assert.Equal(1, http.Unrouted);
        }
        finally
        {
            if (!uwsgi.HasExited)
            {
                uwsgi.Kill(entireProcessTree: true);
                await uwsgi.WaitForExitAsync(CancellationToken.None);
            }

            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_http_node_is_reached_over_one_kept_connection_for_content_length_and_chunked_answers()
    {
        var cancel = TestContext.Current.CancellationToken;
        var table = new SubscriptionTable(TimeProvider.System);
        using var http = new Front("http", $"127.0.0.1:{FreePort.Tcp()}", table, TimeSpan.FromSeconds(10), NullLogger.Instance);
        var port = ((IPEndPoint)http.Bind()).Port;
        using var node = new TcpListener(IPAddress.Loopback, 0);
        node.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var c = await node.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref connections);
                    _ = ServeKeptAsync(c, stop.Token);
                }
            },
            CancellationToken.None);
        table.Apply(new SubscriptionPacket(SubscriptionCommand.Subscribe, "kept.example", $"127.0.0.1:{((IPEndPoint)node.LocalEndpoint).Port}") { Extra = [new("proto", "http")] });
        var loop = http.RunAsync(stop.Token);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancel);
            var stream = client.GetStream();
            for (var i = 0; i < 4; i++)
            {
                var answer = await ExchangeAsync(stream, $"GET /r{i} HTTP/1.1\r\nHost: kept.example\r\n\r\n", cancel);
                Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
                Assert.DoesNotContain("Connection:", answer, StringComparison.OrdinalIgnoreCase);
                Assert.EndsWith(i % 2 == 0 ? "length /r" + i : "5\r\nchunk\r\n" + (i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length) + "\r\n" + i + "\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
            }

            // Another client later: the same node connection, taken from the pool.
            using var second = new TcpClient();
            await second.ConnectAsync(IPAddress.Loopback, port, cancel);
            Assert.EndsWith("length /r0", await ExchangeAsync(second.GetStream(), "GET /r0 HTTP/1.1\r\nHost: kept.example\r\n\r\n", cancel), StringComparison.Ordinal);
            Assert.Equal(1, Volatile.Read(ref connections));
            Assert.Equal(5, table.Snapshot().Single().Requests);
        }
        finally
        {
            await stop.CancelAsync();
            node.Stop();
            await loop;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
        }
    }

    /// <summary>A keep-alive HTTP/1.1 node: even paths get a Content-Length body, odd ones a chunked one.</summary>
    private static async Task ServeKeptAsync(TcpClient c, CancellationToken cancel)
    {
        using (c)
        {
            var stream = c.GetStream();
            var buffer = new byte[4096];
            var pending = string.Empty;
            try
            {
                while (true)
                {
                    var n = await stream.ReadAsync(buffer, cancel);
                    if (n == 0)
                    {
                        return;
                    }

                    pending += Encoding.ASCII.GetString(buffer, 0, n);
                    int end;
                    while ((end = pending.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                    {
                        var path = pending.Split(' ')[1];
                        pending = pending[(end + 4)..];
                        var number = int.Parse(path[2..], System.Globalization.CultureInfo.InvariantCulture);
                        var response = number % 2 == 0
                            ? $"HTTP/1.1 200 OK\r\nContent-Length: {7 + path.Length}\r\n\r\nlength {path}"
                            : $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n{number.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{number}\r\n0\r\n\r\n";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancel);
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Sends one request and reads one response (its head and Content-Length body).</summary>
    private static async Task<string> ExchangeAsync(NetworkStream stream, string request, CancellationToken cancel)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancel);
        var buffer = new byte[8192];
        var n = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(n), cancel).AsTask().WaitAsync(Deadlines.Emperor, cancel);
            if (read == 0)
            {
                break;
            }

            n += read;
            var text = Encoding.ASCII.GetString(buffer, 0, n);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            if (text[..end].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            {
                if (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    return text;
                }

                continue;
            }

            var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } h
                ? int.Parse(h[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            if (n >= end + 4 + length)
            {
                return text[..(end + 4 + length)];
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
