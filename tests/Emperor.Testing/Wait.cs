using System.Diagnostics;

namespace Emperor.Testing;

/// <summary>
/// How tests wait: poll a condition every <see cref="PollInterval"/> until it holds or a deadline
/// passes, then fail with a <see cref="TimeoutException"/> that says what was awaited. Never a fixed
/// sleep: a fast machine passes at once, a slow one gets the whole deadline.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            ThrowIfPast(clock, deadline, what);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, and returns that value.</summary>
    public static async Task<T> ForValueAsync<T>(Func<T?> probe, TimeSpan deadline, string what, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            ThrowIfPast(clock, deadline, what);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>The blocking form, for Dispose paths that cannot await.</summary>
    public static void Until(Func<bool> condition, TimeSpan deadline, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            ThrowIfPast(clock, deadline, what);
            Thread.Sleep(PollInterval);
        }
    }

    private static void ThrowIfPast(Stopwatch clock, TimeSpan deadline, string what)
    {
        if (clock.Elapsed >= deadline)
        {
            throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0.###} s waiting for {what}.");
        }
    }
}
