using Emperor.Core.Monitoring;
using Emperor.Core.Stats;

namespace Emperor.Core.Abstractions;

/// <summary>
/// A source of vassal definitions (spec §2): dir://, glob://, pg://. <see cref="Scan"/> runs on the Emperor's
/// event-loop thread and must not block: a monitor whose source is remote keeps its own up-to-date snapshot
/// on its own thread and only returns it here. The change notification may fire on any thread and only asks
/// the loop for a scan.
/// </summary>
internal interface IImperialMonitor : IDisposable
{
    /// <summary>The argument as uWSGI shows it in stats (<c>emperor</c> array).</summary>
    string Argument { get; }

    /// <summary>The cwd of the vassals this monitor starts (spec §10.4, without uWSGI's last-scanner bug).</summary>
    string WorkingDirectory { get; }

    /// <summary>Starts watching for changes; <paramref name="onDirty"/> asks the loop for a scan.</summary>
    void Start(Action onDirty);

    /// <summary>
    /// The current set of vassal definitions, by name; or null when the source cannot be read right now
    /// (a database outage): the Emperor then changes nothing, and in particular stops nothing.
    /// </summary>
    Dictionary<string, SourceEntry>? Scan();

    /// <summary>The states of this monitor's vassals, sent by the loop every rescan period (pg:// writes them back).</summary>
    void ReportStatus(IReadOnlyList<VassalStats> vassals)
    {
    }
}
