using System.Threading.Channels;
using Emperor.Core.Logs;

namespace Emperor.Hosting.Logs;

/// <summary>
/// One <c>emperor logs -f</c> (or dashboard) reader: new lines of one vassal, or of all, in a bounded channel. A
/// reader that does not keep up loses lines (counted in <see cref="Dropped"/>) rather than slowing anyone.
/// </summary>
internal sealed class LogFollower(string? vassal, Action<LogFollower> unsubscribe) : IDisposable
{
    private readonly Channel<VassalLogLine> _lines = Channel.CreateBounded<VassalLogLine>(
        new BoundedChannelOptions(10_000) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private long _dropped;

    /// <summary>The vassal followed, or null for all.</summary>
    public string? Vassal => vassal;

    public ChannelReader<VassalLogLine> Lines => _lines.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines dropped since the last call (and resets the count).</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    internal void Offer(VassalLogLine line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public void Dispose()
    {
        unsubscribe(this);
        _lines.Writer.TryComplete();
    }
}
