using System.Diagnostics;
using Emperor.Core.Subscriptions;
using Emperor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emperor.Router.Tests;

public sealed class RealUwsgiTests
{
    [Fact]
    public async Task A_real_uwsgi_subscribes_and_expires_after_it_is_killed()
    {
        var port = FreePort.Tcp(); // also free for UDP in practice on loopback; the bind below fails loudly if not
        var table = new SubscriptionTable(TimeProvider.System, TimeSpan.FromSeconds(3), SubscriptionTable.DefaultDeadRetry);
        using var server = new SubscriptionServer($"127.0.0.1:{port}", table, NullLogger.Instance, TimeProvider.System);
        server.Bind();
        using var cts = new CancellationTokenSource();
        var loop = server.RunAsync(cts.Token);
        var node = $"127.0.0.1:{FreePort.Tcp()}";
        using var uwsgi = Process.Start(new ProcessStartInfo("/usr/bin/uwsgi-core", ["--master", "--subscribe-to", $"127.0.0.1:{port}:example.com", "--subscribe-freq", "1", "--socket", node])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await Wait.UntilAsync(() => table.Route("example.com", "/")?.Address == node, Deadlines.Emperor, "uwsgi's subscription", TestContext.Current.CancellationToken);
            Assert.Equal(0, server.BadPackets);
            uwsgi.Kill(entireProcessTree: true);
            await uwsgi.WaitForExitAsync(TestContext.Current.CancellationToken);
            await Wait.UntilAsync(() => table.Sweep().Count > 0 || table.Snapshot().Count == 0, Deadlines.Emperor, "expiry after the tolerance", TestContext.Current.CancellationToken);
            Assert.Null(table.Route("example.com", "/"));
        }
        finally
        {
            if (!uwsgi.HasExited)
            {
                uwsgi.Kill(entireProcessTree: true);
                await uwsgi.WaitForExitAsync(CancellationToken.None);
            }

            await cts.CancelAsync();
            await loop;
        }
    }

    /// <summary>
    /// A real uWSGI app on a UNIX socket subscribing with <c>subscribe2</c> (uWSGI's key=value form, with a weight):
    /// routed through the http front over the UNIX node, and gone from the table at once when uWSGI shuts down
    /// (its unsubscribe, not the 600 s tolerance).
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task A_real_uwsgi_on_a_unix_socket_subscribes_with_subscribe2_and_unsubscribes_when_it_shuts_down()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("subscribe2");
        var app = dir.WriteFile("app.py", """
            def application(environ, start_response):
                body = ('unix %s' % environ['PATH_INFO']).encode()
                start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
                return [body]
            """);
        var port = FreePort.Tcp();
        var table = new SubscriptionTable(TimeProvider.System, TimeSpan.FromSeconds(600), SubscriptionTable.DefaultDeadRetry);
        using var server = new SubscriptionServer($"127.0.0.1:{port}", table, NullLogger.Instance, TimeProvider.System);
        using var http = new Front("http", $"127.0.0.1:{FreePort.Tcp()}", table, TimeSpan.FromSeconds(10), NullLogger.Instance);
        server.Bind();
        var httpPort = ((System.Net.IPEndPoint)http.Bind()).Port;
        using var cts = new CancellationTokenSource();
        var loops = new[] { server.RunAsync(cts.Token), http.RunAsync(cts.Token) };
        var node = dir.Combine("app.sock");
        using var uwsgi = Process.Start(new ProcessStartInfo("/usr/bin/uwsgi-core", ["--plugin", "python3", "--master", "--socket", node, "--wsgi-file", app, "--subscribe2", $"server=127.0.0.1:{port},key=unix.example,weight=3", "--subscribe-freq", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await Wait.UntilAsync(() => table.Snapshot().Any(n => n.Address == node), Deadlines.Emperor, "uwsgi's subscribe2", cancel);
            Assert.Equal(3, table.Snapshot().Single().Weight);
            Assert.Equal(0, server.BadPackets);

            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, httpPort, cancel);
            var stream = client.GetStream();
            await stream.WriteAsync("GET /over-unix HTTP/1.0\r\nHost: unix.example\r\n\r\n"u8.ToArray(), cancel);
            using var reader = new StreamReader(stream);
            var answer = await reader.ReadToEndAsync(cancel).WaitAsync(Deadlines.Emperor, cancel);
            Assert.Matches(@"^HTTP/1\.[01] 200 OK", answer); // uWSGI answers in the request's protocol
            Assert.EndsWith("unix /over-unix", answer, StringComparison.Ordinal);

            // SIGINT: uWSGI's master shuts down and unsubscribes on its way out.
            Assert.True(ProcessTree.Kill(uwsgi.Id, 2));
            await uwsgi.WaitForExitAsync(cancel).WaitAsync(Deadlines.Emperor, cancel);
            await Wait.UntilAsync(() => table.Snapshot().Count == 0, Deadlines.Emperor, "the unsubscribe at shutdown", cancel);
        }
        finally
        {
            if (!uwsgi.HasExited)
            {
                uwsgi.Kill(entireProcessTree: true);
                await uwsgi.WaitForExitAsync(CancellationToken.None);
            }

            await cts.CancelAsync();
            await Task.WhenAll(loops);
        }
    }
}
