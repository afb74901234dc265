using Emperor.Core.Logs;
using Microsoft.Extensions.Time.Testing;

namespace Emperor.Core.Tests.Logs;

/// <summary>The Emperor's per-vassal budget of log lines (issue #17 §1), on a fake clock.</summary>
public sealed class LogRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private static int Take(LogRateLimiter limiter, string key, int times, out long reported)
    {
        var passed = 0;
        reported = 0;
        for (var i = 0; i < times; i++)
        {
            if (limiter.TryTake(key, out var suppressed))
            {
                passed++;
                reported += suppressed;
            }
        }

        return passed;
    }

    [Fact]
    public void A_burst_passes_then_one_line_per_refill_and_the_left_out_lines_are_counted_before_the_next()
    {
        var limiter = new LogRateLimiter(_time, burst: 10, refill: TimeSpan.FromSeconds(1));
        Assert.Equal(10, Take(limiter, "app.ini", 1000, out var reported));
        Assert.Equal(0, reported);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limiter.TryTake("app.ini", out _)); // not yet earned
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryTake("app.ini", out var suppressed));
        Assert.Equal(991, suppressed); // 990 in the burst + 1 just before
        Assert.False(limiter.TryTake("app.ini", out _));

        _time.Advance(TimeSpan.FromSeconds(3)); // three lines earned
        Assert.Equal(3, Take(limiter, "app.ini", 5, out reported));
        Assert.Equal(1, reported);
    }

    [Fact]
    public void Thirty_seconds_of_a_flood_cost_at_most_the_burst_plus_one_line_a_second()
    {
        var limiter = LogRateLimiter.ForVassals(_time);
        var passed = 0;
        for (var ms = 0; ms < 30_000; ms += 10)
        {
            passed += Take(limiter, "garbage.ini", 10, out _); // 1,000 lines a second
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.InRange(passed, 40 + 29, 40 + 30);
    }

    [Fact]
    public void Every_vassal_has_its_own_budget_and_a_quiet_one_earns_back_only_up_to_the_burst()
    {
        var limiter = new LogRateLimiter(_time, burst: 5, refill: TimeSpan.FromSeconds(1));
        Assert.Equal(5, Take(limiter, "loud.ini", 100, out _));
        Assert.Equal(5, Take(limiter, "quiet.ini", 5, out _)); // the loud one cost it nothing

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(5, Take(limiter, "loud.ini", 100, out var reported));
        Assert.Equal(95, reported);
    }

    [Fact]
    public void Forgetting_a_key_returns_what_was_not_reported_and_frees_it()
    {
        var limiter = new LogRateLimiter(_time, burst: 2, refill: TimeSpan.FromSeconds(1));
        Take(limiter, "gone.ini", 7, out _);
        Assert.Equal(1, limiter.Count);
        Assert.Equal(5, limiter.Forget("gone.ini"));
        Assert.Equal(0, limiter.Count);
        Assert.Equal(0, limiter.Forget("gone.ini"));
    }
}
