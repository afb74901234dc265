using System.Diagnostics.Metrics;

namespace Emperor.Hosting.Metrics;

/// <summary>
/// The Emperor's instruments (System.Diagnostics.Metrics, meter "Emperor"): counters the loop increments, and
/// gauges read from a snapshot the loop publishes after every event. Any MeterListener — our Prometheus
/// endpoint, dotnet-counters, OpenTelemetry — sees the same numbers.
/// </summary>
internal sealed class EmperorMetrics : IDisposable
{
    public const string MeterName = "Emperor";

    private readonly Meter _meter = new(MeterName, VersionInfo.Version);
    private volatile GaugeSnapshot _gauges = new([], 0, 0, 0, 0);

    public EmperorMetrics()
    {
        Spawns = _meter.CreateCounter<long>("emperor.vassal.spawns", "{spawn}", "Vassal processes started");
        Deaths = _meter.CreateCounter<long>("emperor.vassal.deaths", "{death}", "Vassal processes that ended");
        Restarts = _meter.CreateCounter<long>("emperor.vassal.restarts", "{restart}", "Vassal processes started again after an earlier one");
        Reloads = _meter.CreateCounter<long>("emperor.vassal.reloads", "{reload}", "Reload requests (config changes, SIGHUP, commands)");
        HeartbeatTimeouts = _meter.CreateCounter<long>("emperor.vassal.heartbeat_timeouts", "{timeout}", "Heartbeat deadlines missed");
        _meter.CreateObservableGauge("emperor.vassals", ObserveByState, "{vassal}", "Vassals by state");
        _meter.CreateObservableGauge("emperor.blacklist.size", () => _gauges.Blacklist, "{vassal}", "Vassals in the blacklist");
        _meter.CreateObservableGauge("emperor.throttle.level", () => _gauges.ThrottleMs / 1000.0, "s", "Spawn throttle level");
        _meter.CreateObservableGauge("emperor.throttle.queue", () => _gauges.Queued, "{spawn}", "Spawns waiting in the throttle queue");
        _meter.CreateObservableGauge("emperor.loop.lag", () => _gauges.LoopLagSeconds, "s", "Delay between posting a probe event and the loop handling it");
    }

    public Counter<long> Spawns { get; }

    public Counter<long> Deaths { get; }

    public Counter<long> Restarts { get; }

    public Counter<long> Reloads { get; }

    public Counter<long> HeartbeatTimeouts { get; }

    /// <summary>Makes every counter visible at 0 to listeners that started after the first measurements could happen.</summary>
    public void Touch()
    {
        foreach (var c in new[] { Spawns, Deaths, Restarts, Reloads, HeartbeatTimeouts })
        {
            c.Add(0);
        }
    }

    /// <summary>Published by the loop thread; read by collectors on any thread.</summary>
    public void Publish(GaugeSnapshot snapshot) => _gauges = snapshot;

    public GaugeSnapshot Gauges => _gauges;

    private IEnumerable<Measurement<long>> ObserveByState()
    {
        foreach (var (state, count) in _gauges.ByState)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("state", state));
        }
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Gauge values at one moment.</summary>
    internal sealed record GaugeSnapshot(IReadOnlyList<KeyValuePair<string, long>> ByState, long Blacklist, long ThrottleMs, long Queued, double LoopLagSeconds);
}
