using Emperor.Core.Policies;
using Emperor.Core.Tests.Support;

namespace Emperor.Core.Tests.Policies;

public sealed class SpawnThrottleTests
{
    [Fact]
    public void Burst_GrowsWithinASecond_HalvesOtherwise()
    {
        var clock = new OddFrequencyTimeProvider();
        var t = new SpawnThrottle(clock, TimeSpan.FromMilliseconds(500));
        var spawnTimes = new List<double>();
        var elapsed = TimeSpan.Zero;

        // Ten queued spawns: each waits DelayForQueued, then spawns.
        for (var i = 0; i < 10; i++)
        {
            var wait = t.DelayForQueued();
            clock.Advance(wait);
            elapsed += wait;
            spawnTimes.Add(elapsed.TotalSeconds);
            t.OnSpawned();
        }

        Assert.Equal([0, 0, 0.5, 1.5, 2.0, 3.0, 3.5, 4.5, 5.0, 6.0], spawnTimes);
        Assert.True(spawnTimes[^1] - spawnTimes[0] >= 3);
    }

    [Fact]
    public void Level_HalvesDownToZeroWhenSpawnsAreApart()
    {
        var clock = new OddFrequencyTimeProvider();
        var t = new SpawnThrottle(clock, TimeSpan.FromMilliseconds(1000));
        t.OnSpawned();
        t.OnSpawned();
        Assert.Equal(TimeSpan.FromSeconds(1), t.Level);
        for (var i = 0; i < 12; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            t.OnSpawned();
        }

        Assert.Equal(TimeSpan.Zero, t.Level);
        Assert.Equal(TimeSpan.Zero, t.DelayForQueued());
    }

    [Fact]
    public void DelayForQueued_CountsFromTheLastSpawn()
    {
        var clock = new OddFrequencyTimeProvider();
        var t = new SpawnThrottle(clock, TimeSpan.FromMilliseconds(1000));
        t.OnSpawned();
        t.OnSpawned();
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(700), t.DelayForQueued());
    }

    [Fact]
    public void ZeroStep_DisablesThrottling()
    {
        var t = new SpawnThrottle(new OddFrequencyTimeProvider(), TimeSpan.Zero);
        Assert.False(t.Enabled);
        for (var i = 0; i < 5; i++)
        {
            t.OnSpawned();
        }

        Assert.Equal(TimeSpan.Zero, t.Level);
        Assert.Equal(TimeSpan.Zero, t.DelayForQueued());
    }
}
