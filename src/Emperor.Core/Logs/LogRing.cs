namespace Emperor.Core.Logs;

/// <summary>
/// The last lines of one vassal, bounded by a line count and a character budget (whichever is reached first drops
/// the oldest), so that <c>emperor logs</c> and the dashboard work without any log file. Not thread-safe: its owner
/// locks.
/// </summary>
internal sealed class LogRing(int maxLines, int maxChars)
{
    private readonly Queue<VassalLogLine> _lines = new();
    private long _chars;

    public int Count => _lines.Count;

    public void Add(VassalLogLine line)
    {
        _lines.Enqueue(line);
        _chars += line.Text.Length;
        while (_lines.Count > maxLines || (_chars > maxChars && _lines.Count > 1))
        {
            _chars -= _lines.Dequeue().Text.Length;
        }
    }

    /// <summary>The last <paramref name="count"/> lines, oldest first.</summary>
    public List<VassalLogLine> Last(int count)
    {
        var skip = Math.Max(0, _lines.Count - count);
        var result = new List<VassalLogLine>(_lines.Count - skip);
        foreach (var line in _lines)
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }

            result.Add(line);
        }

        return result;
    }
}
