namespace Emperor.Core.Logs;

/// <summary>
/// A budget of log lines per key (a vassal): <see cref="Burst"/> lines at once, then one per <see cref="Refill"/>.
/// What the Emperor says about one vassal can then never flood its log, however fast that vassal churns (issue #17: a
/// garbage file once cost 235,000 lines in 30 s), while every other vassal keeps its own budget. Lines over the budget
/// are counted, and the count is reported before the next line that is let through (or when the key is forgotten), so
/// the log says how much it left out. Pure: time comes from the injected <see cref="TimeProvider"/>; not thread-safe
/// (the Emperor's loop thread owns it).
/// </summary>
internal sealed class LogRateLimiter(TimeProvider time, int burst, TimeSpan refill)
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>The Emperor's budget: 40 lines about one vassal at once, then one a second.</summary>
    public static LogRateLimiter ForVassals(TimeProvider time) => new(time, 40, TimeSpan.FromSeconds(1));

    public int Burst { get; } = burst > 0 ? burst : throw new ArgumentOutOfRangeException(nameof(burst));

    public TimeSpan Refill { get; } = refill > TimeSpan.Zero ? refill : throw new ArgumentOutOfRangeException(nameof(refill));

    /// <summary>Keys with a budget in use (for tests: forgotten keys cost nothing).</summary>
    public int Count => _buckets.Count;

    /// <summary>
    /// Whether a line about <paramref name="key"/> may be written now. When it may and earlier lines were left out,
    /// <paramref name="suppressed"/> says how many (write that first); otherwise it is 0.
    /// </summary>
    public bool TryTake(string key, out long suppressed)
    {
        var now = time.GetUtcNow();
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            bucket = new Bucket { Tokens = Burst, RefilledAt = now };
            _buckets[key] = bucket;
        }
        else if (bucket.Tokens < Burst)
        {
            var earned = (now - bucket.RefilledAt).Ticks / Refill.Ticks;
            if (earned > 0)
            {
                bucket.Tokens = (int)Math.Min(Burst, bucket.Tokens + earned);
                bucket.RefilledAt = bucket.Tokens == Burst ? now : bucket.RefilledAt + TimeSpan.FromTicks(earned * Refill.Ticks);
            }
        }
        else
        {
            bucket.RefilledAt = now;
        }

        if (bucket.Tokens == 0)
        {
            bucket.Suppressed++;
            suppressed = 0;
            return false;
        }

        if (bucket.Tokens == Burst)
        {
            bucket.RefilledAt = now; // a full bucket earns nothing while it waits
        }

        bucket.Tokens--;
        suppressed = bucket.Suppressed;
        bucket.Suppressed = 0;
        return true;
    }

    /// <summary>Drops the budget of <paramref name="key"/> (the vassal is gone); returns the lines left out and not yet reported.</summary>
    public long Forget(string key) => _buckets.Remove(key, out var bucket) ? bucket.Suppressed : 0;

    private sealed class Bucket
    {
        public int Tokens;
        public DateTimeOffset RefilledAt;
        public long Suppressed;
    }
}
