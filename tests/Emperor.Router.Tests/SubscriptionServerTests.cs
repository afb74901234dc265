using System.Net.Sockets;
using Emperor.Core.Subscriptions;
using Emperor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emperor.Router.Tests;

public sealed class SubscriptionServerTests
{
    [Fact]
    public async Task Udp_announces_reach_the_table_and_garbage_is_counted()
    {
        var table = new SubscriptionTable(TimeProvider.System);
        using var server = new SubscriptionServer($"127.0.0.1:{FreePort.Tcp()}", table, NullLogger.Instance, TimeProvider.System);
        var endpoint = server.Bind();
        using var cts = new CancellationTokenSource();
        var loop = server.RunAsync(cts.Token);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await client.SendToAsync(new byte[] { 1, 2, 3 }, endpoint, TestContext.Current.CancellationToken);
            await client.SendToAsync(new byte[SubscriptionCodec.MaxPacket + 100], endpoint, TestContext.Current.CancellationToken);
            await client.SendToAsync(SubscriptionCodec.Encode(new(SubscriptionCommand.Subscribe, "example.com", "127.0.0.1:3031")), endpoint, TestContext.Current.CancellationToken);
            await Wait.UntilAsync(() => table.Route("example.com", "/") is not null, Deadlines.Child, "the announce in the table", TestContext.Current.CancellationToken);
            Assert.Equal(2, server.BadPackets);
        }
        finally
        {
            await cts.CancelAsync();
            await loop;
        }
    }
}
