using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Emperor.Client.Tests;

/// <summary>A real generic host with AddEmperor, notifying a real abstract datagram socket.</summary>
public sealed class NotifyLifetimeTests
{
    [Fact(Timeout = 60_000)]
    public async Task Host_SendsReadyThenWatchdogsThenStopping()
    {
        var cancel = TestContext.Current.CancellationToken;
        var name = $"emperor-client-test/{Environment.ProcessId}/{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));

        var builder = Host.CreateApplicationBuilder();
        _ = builder.Services.AddSingleton(new EmperorNotifier("@" + name, "200000"));
        _ = builder.Services.AddEmperor();
        using var host = builder.Build();
        await host.StartAsync(cancel);
        try
        {
            Assert.Equal("READY=1", await ReceiveAsync(listener, cancel));
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("WATCHDOG=1", await ReceiveAsync(listener, cancel));
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        string last;
        do
        {
            last = await ReceiveAsync(listener, cancel);
        }
        while (last == "WATCHDOG=1");
        Assert.Equal("STOPPING=1", last);
    }

    [Fact]
    public void Notifier_WithoutNotifySocket_IsANoOp()
    {
        using var notifier = new EmperorNotifier(null, null);
        Assert.False(notifier.IsEnabled);
        Assert.Null(notifier.WatchdogInterval);
        notifier.Ready();
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        var buffer = new byte[512];
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
