namespace Emperor.Core.Monitoring;

/// <summary>
/// The vassal set of an event-only monitor (amqp://, zmq://: spec §2.7, §2.8), which hears commands instead of
/// reading a source: a <c>touch</c> defines or redefines a vassal, a <c>destroy</c> removes it, and
/// <see cref="Abstractions.IImperialMonitor.Scan"/> answers with the set as it stands, so the reconciler diffs it like any other
/// monitor's (a removal stops the vassal, a touch reloads it, a crashed vassal comes back while it is defined).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every touch is a change, even one that repeats the same config: the modification stamp is the time of the
/// touch, made strictly greater than the previous one (uWSGI compares whole seconds, so two touches in one second act
/// once there; here each acts).</item>
/// <item>Thread-safe: commands arrive on the monitor's own threads, snapshots are taken on the Emperor's loop.</item>
/// </list>
/// </remarks>
internal sealed class PushedVassals
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SourceEntry> _entries = new(StringComparer.Ordinal);
    private long _lastStamp;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Defines or redefines <paramref name="name"/>: inline <paramref name="config"/> (null: the file at
    /// <paramref name="path"/>), owned by <paramref name="uid"/>/<paramref name="gid"/> (tyrant mode), touched at
    /// <paramref name="nowNs"/> (nanoseconds since the epoch).
    /// </summary>
    /// <returns>True when the vassal is new.</returns>
    public bool Touch(string name, string? config, string? path, int uid, int gid, long nowNs)
    {
        lock (_lock)
        {
            _lastStamp = Math.Max(nowNs, _lastStamp + 1);
            var added = !_entries.ContainsKey(name);
            _entries[name] = new SourceEntry(name, _lastStamp, uid, gid, config, path);
            return added;
        }
    }

    /// <summary>Removes <paramref name="name"/>; false when it was not defined.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            return _entries.Remove(name);
        }
    }

    public bool Contains(string name)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(name);
        }
    }

    /// <summary>A copy of the set, for one scan.</summary>
    public Dictionary<string, SourceEntry> Snapshot()
    {
        lock (_lock)
        {
            return new Dictionary<string, SourceEntry>(_entries, StringComparer.Ordinal);
        }
    }
}
