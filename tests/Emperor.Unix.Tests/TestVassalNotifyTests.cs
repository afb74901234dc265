using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>testvassal's sd_notify datagrams, received on a socket the test binds.</summary>
public sealed class TestVassalNotifyTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Notify_PathSocket_DatagramsArriveInOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("notify");
        var path = dir.Combine("notify.sock");
        using var socket = BoundDatagramSocket(path);
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--notify", "READY=1", "--notify", "STATUS=serving\nMAINPID=1"], [new("NOTIFY_SOCKET", path)]);

        Assert.Equal("READY=1", await ReceiveAsync(socket, cancel));
        Assert.Equal("STATUS=serving\nMAINPID=1", await ReceiveAsync(socket, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Notify_AbstractSocket_DatagramArrives()
    {
        var cancel = TestContext.Current.CancellationToken;
        var name = "emperor-test-notify-" + Guid.NewGuid().ToString("N");
        using var socket = BoundDatagramSocket("\0" + name);
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--notify", "READY=1"], [new("NOTIFY_SOCKET", "@" + name)]);

        Assert.Equal("READY=1", await ReceiveAsync(socket, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task NotifyEvery_Interval_DatagramRepeats()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("notify-every");
        var path = dir.Combine("notify.sock");
        using var socket = BoundDatagramSocket(path);
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--notify", "WATCHDOG=1", "--notify-every", "50"], [new("NOTIFY_SOCKET", path)]);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("WATCHDOG=1", await ReceiveAsync(socket, cancel));
        }
    }

    private static Socket BoundDatagramSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Deadlines.Child);
        var buffer = new byte[4096];
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
