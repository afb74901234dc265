using Emperor.Core.Monitoring;

namespace Emperor.Core.Tests.Monitoring;

/// <summary>The vassal set of an event-only monitor (amqp://, zmq://), and the limiter of its bad-input lines.</summary>
public sealed class PushedVassalsTests
{
    [Fact]
    public void Touch_AddsThenRedefines_EveryTouchIsAChange_EvenInOneClockTick()
    {
        var set = new PushedVassals();
        Assert.True(set.Touch("a.ini", "[uwsgi]\n", null, 0, 0, 1_000));
        Assert.False(set.Touch("a.ini", "[uwsgi]\n", null, 0, 0, 1_000));
        var first = set.Snapshot()["a.ini"];
        Assert.Equal(1_001, first.ModifiedNs);

        // A clock step backwards still moves the stamp forwards.
        set.Touch("a.ini", "[uwsgi]\nx = 1\n", null, 5, 6, 10);
        var second = set.Snapshot()["a.ini"];
        Assert.Equal(new SourceEntry("a.ini", 1_002, 5, 6, "[uwsgi]\nx = 1\n", null), second);
        Assert.Single(SnapshotDiff.Compute(new Dictionary<string, SourceEntry> { ["a.ini"] = first }, set.Snapshot()));
    }

    [Fact]
    public void Remove_AndSnapshotsAreCopies()
    {
        var set = new PushedVassals();
        set.Touch("a.ini", null, "/srv/a.ini", 1, 1, 1);
        var snapshot = set.Snapshot();
        Assert.True(set.Remove("a.ini"));
        Assert.False(set.Remove("a.ini"));
        Assert.False(set.Contains("a.ini"));
        Assert.Equal(0, set.Count);
        Assert.Equal("/srv/a.ini", snapshot["a.ini"].Path);
    }

    [Fact]
    public void ProblemLimiter_OneLinePerKeyPerPeriod_ThenCountsWhatItSkipped()
    {
        var limiter = new ProblemLimiter(TimeSpan.FromMinutes(1));
        var t0 = TimeSpan.FromHours(1);
        Assert.True(limiter.ShouldLog("peer", t0, out var skipped));
        Assert.Equal(0, skipped);
        Assert.False(limiter.ShouldLog("peer", t0 + TimeSpan.FromSeconds(1), out _));
        Assert.False(limiter.ShouldLog("peer", t0 + TimeSpan.FromSeconds(59), out _));
        Assert.True(limiter.ShouldLog("other", t0 + TimeSpan.FromSeconds(2), out _));
        Assert.True(limiter.ShouldLog("peer", t0 + TimeSpan.FromSeconds(60), out skipped));
        Assert.Equal(2, skipped);
    }
}
