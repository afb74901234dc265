using Microsoft.Extensions.Time.Testing;

namespace Emperor.Core.Tests.Support;

/// <summary>
/// A fake clock whose timestamps tick 7 times per .NET tick (as YARP's TestTimeProvider does): code that
/// treats timestamps as TimeSpan ticks instead of using TimestampFrequency/GetElapsedTime gets wrong numbers.
/// </summary>
public sealed class OddFrequencyTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _inner = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond * 7;

    public override long GetTimestamp() => _inner.GetUtcNow().UtcTicks * 7;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);

    public void Advance(TimeSpan by) => _inner.Advance(by);
}
