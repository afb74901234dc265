using Emperor.Core.Policies;
using Emperor.Core.Tests.Support;
using Emperor.Core.Vassals;

namespace Emperor.Core.Tests.Policies;

public sealed class BlacklistTests
{
    private static readonly VassalExit s_exit1 = new(1, null);

    [Fact]
    public void OnDeath_UnloyalCrashes_GrowByDeltaAndCapAtMaximum()
    {
        var clock = new OddFrequencyTimeProvider();
        var bl = new Blacklist(clock, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), enabled: true);

        var delays = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            delays.Add(bl.OnDeath("bad.ini", loyal: false, s_exit1).Delay.TotalSeconds);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 2, 3, 4, 4, 4, 4], delays);
        var entry = bl.Get("bad.ini");
        Assert.NotNull(entry);
        Assert.Equal(7, entry.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(4), entry.Level);
        Assert.Equal(TimeSpan.FromSeconds(6), clock.GetElapsedTime(entry.FirstAttempt, entry.LastAttempt));
    }

    [Fact]
    public void OnDeath_ReasonExplainsTheDecision()
    {
        var bl = new Blacklist(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(180), enabled: true);
        bl.OnDeath("a.ini", false, s_exit1);
        bl.OnDeath("a.ini", false, s_exit1);
        bl.OnDeath("a.ini", false, s_exit1);
        var d = bl.OnDeath("a.ini", false, s_exit1);
        Assert.True(d.Blacklisted);
        Assert.Equal("blacklisted: died 4 times before becoming loyal (exit code 1); next spawn in 4.0 s", d.Reason);
    }

    [Fact]
    public void OnDeath_Loyal_RespawnsAtOnceAndForgets()
    {
        var bl = new Blacklist(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(180), enabled: true);
        bl.OnDeath("a.ini", false, s_exit1);
        var d = bl.OnDeath("a.ini", loyal: true, s_exit1);
        Assert.Equal(TimeSpan.Zero, d.Delay);
        Assert.False(d.Blacklisted);
        Assert.Null(bl.Get("a.ini"));
    }

    [Fact]
    public void OnDeath_FirstExternalKill_RespawnsAtOnce_SecondBacksOff()
    {
        var bl = new Blacklist(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(180), enabled: true);
        var killed = new VassalExit(null, 9);
        Assert.Equal(TimeSpan.Zero, bl.OnDeath("s.ini", false, killed).Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), bl.OnDeath("s.ini", false, killed).Delay);
        Assert.Single(bl.Entries);
    }

    [Fact]
    public void ForgiveAndClear_RemoveEntries()
    {
        var bl = new Blacklist(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(180), enabled: true);
        bl.OnDeath("a.ini", false, s_exit1);
        bl.OnDeath("b.ini", false, s_exit1);
        Assert.True(bl.Forgive("a.ini"));
        Assert.False(bl.Forgive("a.ini"));
        Assert.Equal(1, bl.Clear());
        Assert.Empty(bl.Entries);
        Assert.Equal(TimeSpan.FromSeconds(1), bl.OnDeath("b.ini", false, s_exit1).Delay);
    }

    [Theory]
    [InlineData(false, 1000)]
    [InlineData(true, 0)]
    public void OnDeath_BlacklistOff_StillHasACrashLoopFloor(bool enabled, int deltaMs)
    {
        var bl = new Blacklist(new OddFrequencyTimeProvider(), TimeSpan.FromMilliseconds(deltaMs), TimeSpan.FromSeconds(180), enabled);

        var delays = Enumerable.Range(0, 10).Select(_ => bl.OnDeath("bad.ini", loyal: false, s_exit1)).ToList();

        Assert.Equal([0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10, 10], delays.Select(d => d.Delay.TotalSeconds));
        Assert.All(delays, d => Assert.False(d.Blacklisted));
        Assert.Contains("crash-loop floor: next spawn in 0.4 s", delays[3].Reason, StringComparison.Ordinal);
        Assert.Empty(bl.Entries);

        Assert.Equal(TimeSpan.Zero, bl.OnDeath("bad.ini", loyal: true, s_exit1).Delay);
        Assert.Equal(TimeSpan.Zero, bl.OnDeath("bad.ini", loyal: false, s_exit1).Delay); // loyalty reset the floor
        Assert.Equal(TimeSpan.FromMilliseconds(100), bl.OnDeath("bad.ini", loyal: false, s_exit1).Delay);
        bl.Clear();
        Assert.Equal(TimeSpan.Zero, bl.OnDeath("bad.ini", loyal: false, s_exit1).Delay); // SIGURG too
    }
}
