using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;
using Emperor.Unix.Notify;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>
/// The Emperor's sd_notify socket (<see cref="NotifyListener"/>): real datagrams from testvassal and from this
/// process, with the sender's pid and session taken from the kernel's credentials, and the drop rules.
/// </summary>
public sealed class NotifyListenerTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Datagram_FromAVassal_ArrivesWithItsPidAndItsSession()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var listener = Listener(out var messages);
        await using var guard = new LeakGuard();

        // A vassal leads its own session (the launcher calls setsid); --setsid makes testvassal do the same.
        await using var vassal = TestProcess.StartTestVassal(guard, ["--setsid", "--notify", "READY=1", "--notify", "STATUS=up"], [new("NOTIFY_SOCKET", listener.Address)]);

        await Wait.UntilAsync(() => messages.Count >= 2, Deadlines.Child, "two datagrams from the vassal", cancel);
        Assert.Equal([(vassal.Pid, vassal.Pid, "READY=1"), (vassal.Pid, vassal.Pid, "STATUS=up")], messages.ToArray());
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task OversizedAndNonUtf8Datagrams_AreDropped_TheNextOneStillArrives()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var listener = Listener(out var messages);
        using var sender = Sender(listener);

        sender.Send(Encoding.UTF8.GetBytes(new string('x', 5000))); // over the 4 KiB limit
        sender.Send([0x52, 0x45, 0xff, 0xfe]); // not UTF-8
        sender.Send("READY=1"u8);

        // Datagrams on one socket arrive in order: once the last is in, the first two were seen and dropped.
        await Wait.UntilAsync(() => !messages.IsEmpty, Deadlines.Child, "the valid datagram", cancel);
        Assert.Equal([(Environment.ProcessId, SessionOfThisProcess(), "READY=1")], messages.ToArray());
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AFlood_FromOneSender_IsCutAtTheRateLimit_WhileOthersStillGetThrough()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var listener = Listener(out var messages);
        using var sender = Sender(listener);
        const int Flood = 1000;

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Flood; i++)
        {
            sender.Send("WATCHDOG=1"u8);
        }


        // Another sender's datagram, queued after the flood: when it is in, the whole flood has been judged.
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--notify", "READY=1"], [new("NOTIFY_SOCKET", listener.Address)]);
        await Wait.UntilAsync(() => messages.Any(m => m.Pid == vassal.Pid), Deadlines.Child, "the other sender's datagram", cancel);
        var seconds = (int)Math.Ceiling(clock.Elapsed.TotalSeconds); // the clock seconds the flood was judged in, at most

        var admitted = messages.Count(m => m.Pid == Environment.ProcessId);
        Assert.InRange(admitted, NotifyListener.MaxPerSecond, NotifyListener.MaxPerSecond * (seconds + 1));
    }

    private static NotifyListener Listener(out ConcurrentQueue<(int Pid, int Session, string Text)> messages)
    {
        var received = new ConcurrentQueue<(int, int, string)>();
        var listener = new NotifyListener("emperor-test-notify-" + Guid.NewGuid().ToString("N"));
        listener.Start((pid, session, text) => received.Enqueue((pid, session, text)));
        messages = received;
        return listener;
    }

    private static Socket Sender(NotifyListener listener)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint("\0" + listener.Address[1..]));
        return socket;
    }

    /// <summary>Field 6 of /proc/self/stat.</summary>
    private static int SessionOfThisProcess() => ProcessTree.TryReadStat(Environment.ProcessId)!.Value.Session;
}
