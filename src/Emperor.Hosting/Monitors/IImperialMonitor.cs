using Emperor.Core.Monitoring;

namespace Emperor.Hosting.Monitors;

/// <summary>
/// A source of vassal definitions (spec §2). Scans run on the event-loop thread; the change notification
/// may fire on any thread and only asks for a scan.
/// </summary>
internal interface IImperialMonitor : IDisposable
{
    /// <summary>The argument as uWSGI shows it in stats (<c>emperor</c> array).</summary>
    string Argument { get; }

    /// <summary>The cwd of the vassals this monitor starts (spec §10.4, without uWSGI's last-scanner bug).</summary>
    string WorkingDirectory { get; }

    /// <summary>Starts watching for changes; <paramref name="onDirty"/> asks the loop for a scan.</summary>
    void Start(Action onDirty);

    /// <summary>The current set of vassal definitions, by name.</summary>
    Dictionary<string, SourceEntry> Scan();
}
