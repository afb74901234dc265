using Emperor.Core.Logs;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Logs;

/// <summary>
/// Where every captured vassal line goes (docs/logs.md): the bounded ring of each vassal's last lines (for
/// <c>emperor logs</c> and the dashboard, with or without log files), the followers (<c>logs -f</c>), and the
/// log writer. <see cref="Publish"/> runs on the capture thread and never blocks.
/// </summary>
internal sealed class LogHub : IDisposable
{
    /// <summary>Lines kept per vassal.</summary>
    public const int RingLines = 500;

    /// <summary>Characters kept per vassal (so 2000 chatty vassals stay within a few hundred MB at worst).</summary>
    public const int RingChars = 128 * 1024;

    private readonly Dictionary<string, LogRing> _rings = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly LogWriter _writer;
    private LogFollower[] _followers = [];

    public LogHub(ILogSink sink, ILogger logger) => _writer = new LogWriter(sink, logger);

    public LogWriter Writer => _writer;

    /// <summary>The capture thread's callback.</summary>
    public void Publish(VassalLogLine line)
    {
        LogFollower[] followers;
        lock (_lock)
        {
            if (!_rings.TryGetValue(line.Vassal, out var ring))
            {
                _rings[line.Vassal] = ring = new LogRing(RingLines, RingChars);
            }

            ring.Add(line);
            followers = _followers;
        }

        foreach (var f in followers)
        {
            if (f.Vassal is null || f.Vassal == line.Vassal)
            {
                f.Offer(line);
            }
        }

        _writer.Enqueue(line);
    }

    /// <summary>The last <paramref name="count"/> lines of <paramref name="vassal"/> (null: of all, by time).</summary>
    public List<VassalLogLine> Tail(string? vassal, int count)
    {
        lock (_lock)
        {
            return TailLocked(vassal, count);
        }
    }

    /// <summary>
    /// Follows new lines; <paramref name="backlog"/> gets the last <paramref name="count"/> lines taken under the same
    /// lock, so nothing falls between the tail and the first followed line.
    /// </summary>
    public LogFollower Follow(string? vassal, int count, out List<VassalLogLine> backlog)
    {
        var follower = new LogFollower(vassal, Unsubscribe);
        lock (_lock)
        {
            backlog = TailLocked(vassal, count);
            _followers = [.. _followers, follower];
        }

        return follower;
    }

    /// <summary>Reopens every log file after the lines read so far; completes when done.</summary>
    public Task Reopen() => _writer.Reopen();

    /// <summary>A vassal is gone for good: its ring goes too.</summary>
    public void Forget(string vassal)
    {
        lock (_lock)
        {
            _rings.Remove(vassal);
        }
    }

    public void Dispose() => _writer.Dispose();

    private List<VassalLogLine> TailLocked(string? vassal, int count)
    {
        if (vassal is not null)
        {
            return _rings.TryGetValue(vassal, out var ring) ? ring.Last(count) : [];
        }

        var all = _rings.Values.SelectMany(r => r.Last(count)).OrderBy(l => l.Time).ToList();
        return all.Count > count ? all[^count..] : all;
    }

    private void Unsubscribe(LogFollower follower)
    {
        lock (_lock)
        {
            _followers = [.. _followers.Where(f => f != follower)];
        }
    }
}
