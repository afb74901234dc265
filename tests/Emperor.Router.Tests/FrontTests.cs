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
