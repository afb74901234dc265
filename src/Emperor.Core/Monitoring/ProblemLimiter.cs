namespace Emperor.Core.Monitoring;

/// <summary>
/// Bad input from a push source (a malformed message, an unknown command) is said at most once per key per period,
/// so a peer that floods costs one line a period; the next line says how many were not shown. Pure: the caller passes
/// the time; thread-safe.
/// </summary>
internal sealed class ProblemLimiter(TimeSpan period)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TimeSpan At, int Suppressed)> _last = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether to log a problem of <paramref name="key"/> now; when true, <paramref name="suppressed"/> is how many
    /// were dropped since the last line.
    /// </summary>
    public bool ShouldLog(string key, TimeSpan now, out int suppressed)
    {
        lock (_lock)
        {
            if (_last.TryGetValue(key, out var last) && now - last.At < period)
            {
                _last[key] = (last.At, last.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = last.Suppressed;
            _last[key] = (now, 0);
            if (_last.Count > 1024)
            {
                // Many one-off keys (connections): forget the quiet ones.
                foreach (var old in _last.Where(kv => now - kv.Value.At >= period).Select(kv => kv.Key).ToList())
                {
                    _last.Remove(old);
                }
            }

            return true;
        }
    }
}
