using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;

namespace Emperor.Testing.Fakes;

/// <summary>
/// An imperial monitor over an in-memory set of entries. Changing it calls the Emperor's dirty callback, as inotify
/// would; <see cref="Unavailable"/> makes scans answer "source unavailable" (a database outage).
/// </summary>
internal sealed class FakeMonitor(string argument = "fake://", string workingDirectory = "/tmp") : IImperialMonitor
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SourceEntry> _entries = new(StringComparer.Ordinal);
    private Action? _onDirty;
    private long _clockNs = 1_700_000_000_000_000_000;

    public string Argument { get; } = argument;

    public string WorkingDirectory { get; } = workingDirectory;

    public bool Unavailable { get; set; }

    public int Scans { get; private set; }

    public void Start(Action onDirty) => _onDirty = onDirty;

    public Dictionary<string, SourceEntry>? Scan()
    {
        lock (_gate)
        {
            Scans++;
            return Unavailable ? null : new Dictionary<string, SourceEntry>(_entries, StringComparer.Ordinal);
        }
    }

    /// <summary>Adds or rewrites <paramref name="name"/> (a new mtime), owned by uid/gid.</summary>
    public void Write(string name, int uid = 1000, int gid = 1000, string? inline = null, bool notify = true)
    {
        lock (_gate)
        {
            _clockNs += 1_000_000;
            _entries[name] = new SourceEntry(name, _clockNs, uid, gid, inline, "/tmp/" + name);
        }

        if (notify)
        {
            _onDirty?.Invoke();
        }
    }

    /// <summary>Changes the owner only (chown: the mtime stays).</summary>
    public void Chown(string name, int uid, int gid)
    {
        lock (_gate)
        {
            _entries[name] = _entries[name] with { Uid = uid, Gid = gid };
        }

        _onDirty?.Invoke();
    }

    public void Remove(string name)
    {
        lock (_gate)
        {
            _entries.Remove(name);
        }

        _onDirty?.Invoke();
    }

    public void Dispose()
    {
    }
}
