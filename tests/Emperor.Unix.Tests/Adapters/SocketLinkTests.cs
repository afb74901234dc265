using System.Net.Sockets;
using System.Runtime.InteropServices;
using Emperor.Testing;
using Emperor.Unix.Processes;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>The Emperor's end of a vassal link (<see cref="SocketLink"/>) over a real socketpair; the test plays the vassal.</summary>
public sealed class SocketLinkTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task TrySend_DeliversOneByte_AndUnreadByPeerShowsWhetherTheVassalHasReadIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var pair = SocketPair.Create();
        using var link = new SocketLink(TakeChildEnd(pair));

        Assert.Equal(0, link.UnreadByPeer());
        Assert.True(link.TrySend(1));
        Assert.True(link.TrySend(2));
        Assert.True(link.TrySend(3));

        // SIOCOUTQ on AF_UNIX counts the kernel memory of unread messages, not bytes: only zero or not is meaningful.
        Assert.True(link.UnreadByPeer() > 0, "nothing queued after three sends");

        Assert.Equal(1, await pair.ReceiveByteAsync(Deadlines.Child, cancel));
        Assert.Equal(2, await pair.ReceiveByteAsync(Deadlines.Child, cancel));
        Assert.Equal(3, await pair.ReceiveByteAsync(Deadlines.Child, cancel));
        await Wait.UntilAsync(() => link.UnreadByPeer() == 0, Deadlines.Child, "the queue to drain once the vassal read", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task ReceiveAsync_GetsWhatTheVassalSends_AndZeroAtItsEof()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var pair = SocketPair.Create();
        using var link = new SocketLink(TakeChildEnd(pair));

        pair.SendByte(22);
        var buffer = new byte[8];
        Assert.Equal(1, await link.ReceiveAsync(buffer, cancel));
        Assert.Equal(22, buffer[0]);

        pair.Parent.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await link.ReceiveAsync(buffer, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task SendAllAsync_WritesAFrameLargerThanTheSocketBuffer_WholeAndInOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var pair = SocketPair.Create();
        using var link = new SocketLink(TakeChildEnd(pair));
        var frame = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(frame);

        var send = link.SendAllAsync(frame, cancel);
        var received = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (received.Length < frame.Length)
        {
            var n = await pair.Parent.ReceiveAsync(chunk, SocketFlags.None, cancel);
            Assert.True(n > 0, $"EOF after {received.Length} of {frame.Length} bytes");
            received.Write(chunk, 0, n);
        }

        await send.WaitAsync(Deadlines.Child, cancel);
        Assert.Equal(frame, received.ToArray());
    }

    [Fact]
    public void TrySend_FailsWithoutThrowing_WhenTheVassalIsGoneOrTheLinkIsDisposed()
    {
        using var pair = SocketPair.Create();
        var link = new SocketLink(TakeChildEnd(pair));

        pair.Parent.Close();
        Assert.False(link.TrySend(1), "sent to a closed peer");

        link.Dispose();
        Assert.False(link.TrySend(1), "sent on a disposed link");
    }

    /// <summary>A copy (close-on-exec) of the pair's child end for the link to own; the pair's own copy is closed.</summary>
    private static int TakeChildEnd(SocketPair pair)
    {
        var fd = Native.fcntl(pair.ChildFd, Native.FDupfdCloexec, 0);
        Assert.True(fd >= 0, $"dup failed with errno {Marshal.GetLastPInvokeError()}");
        pair.CloseChildEnd();
        return fd;
    }
}
