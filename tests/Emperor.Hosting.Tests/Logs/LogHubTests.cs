using Emperor.Core.Logs;
using Emperor.Hosting.Logs;
using Emperor.Testing;

namespace Emperor.Hosting.Tests.Logs;

public sealed class LogHubTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static VassalLogLine Line(string vassal, string text, int second = 0) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(second), vassal, 7, VassalStream.Stdout, text);

    [Fact]
    public async Task Tail_OneVassalOrAllByTime_AndFollowersGetOnlyWhatTheyAskedFor()
    {
        var sink = new ListSink();
        using var hub = new LogHub(sink, new ListLogger());
        hub.Publish(Line("a", "a1", 1));
        hub.Publish(Line("b", "b1", 2));
        hub.Publish(Line("a", "a2", 3));
        Assert.Equal(["a1", "a2"], hub.Tail("a", 10).Select(l => l.Text));
        Assert.Equal(["b1", "a2"], hub.Tail(null, 2).Select(l => l.Text));
        Assert.Empty(hub.Tail("nobody", 10));

        using var followA = hub.Follow("a", 1, out var backlogA);
        using var followAll = hub.Follow(null, 0, out var backlogAll);
        Assert.Equal(["a2"], backlogA.Select(l => l.Text));
        Assert.Empty(backlogAll);
        hub.Publish(Line("b", "b2", 4));
        hub.Publish(Line("a", "a3", 5));
        Assert.Equal("a3", (await followA.Lines.ReadAsync(Cancel)).Text);
        Assert.Equal("b2", (await followAll.Lines.ReadAsync(Cancel)).Text);
        Assert.Equal("a3", (await followAll.Lines.ReadAsync(Cancel)).Text);
        Assert.False(followA.Lines.TryRead(out _));

        await Wait.UntilAsync(() => sink.Count == 5, s_deadline, "the writer wrote every line", Cancel);
        hub.Forget("a");
        Assert.Empty(hub.Tail("a", 10));
    }

    [Fact]
    public async Task ASlowSink_NeverBlocksPublish_DropsAreCounted_AndReportedInOneLine()
    {
        var sink = new ListSink { Gate = new ManualResetEventSlim(false) };
        var log = new ListLogger();
        using var hub = new LogHub(sink, log);
        var text = new string('x', 16 * 1024);
        const int Published = 2000; // 32 M characters: twice what the writer queues
        for (var i = 0; i < Published; i++)
        {
            hub.Publish(Line("chatty", text));
        }

        var dropped = hub.Writer.Dropped;
        Assert.InRange(dropped, 1, Published - 1);
        sink.Gate.Set();
        await Wait.UntilAsync(() => sink.Count == Published - dropped, s_deadline, "the queued lines written", Cancel);
        await Wait.UntilAsync(() => log.Count($"vassal chatty: dropped {dropped} lines") == 1, s_deadline, "one line saying how many were dropped", Cancel);
        Assert.Equal(LogHub.RingChars / text.Length, hub.Tail("chatty", 1000).Count); // the ring kept its budget
    }

    private sealed class ListSink : ILogSink
    {
        private int _count;

        public ManualResetEventSlim? Gate { get; init; }

        public int Count => Volatile.Read(ref _count);

        public bool Write(VassalLogLine line)
        {
            Gate?.Wait();
            Interlocked.Increment(ref _count);
            return true;
        }

        public void Flush()
        {
        }

        public void Reopen()
        {
        }

        public void Dispose()
        {
        }
    }
}
