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
}
