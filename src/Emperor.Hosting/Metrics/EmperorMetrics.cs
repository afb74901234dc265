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
    private readonly Core.Abstractions.IVassalCgroups? _cgroups;
    private volatile GaugeSnapshot _gauges = new([], 0, 0, 0, 0);
    private volatile UsageReading? _usage;

    /// <param name="cgroups">With <c>--emperor-cgroup</c>: per-vassal memory, CPU, OOM kills and tasks, read from each
    /// vassal's cgroup when a collector observes them (on its thread, never the loop's).</param>
    public EmperorMetrics(Core.Abstractions.IVassalCgroups? cgroups = null)
    {
        _cgroups = cgroups;
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
        if (cgroups is not null)
        {
            _meter.CreateObservableGauge("emperor.vassal.memory.current", () => ObserveCgroups(u => u.MemoryCurrent), "By", "Memory charged to the vassal's cgroup now");
            _meter.CreateObservableGauge("emperor.vassal.memory.peak", () => ObserveCgroups(u => u.MemoryPeak), "By", "Most memory ever charged to the vassal's cgroup");
            _meter.CreateObservableGauge("emperor.vassal.cpu.usage", () => ObserveCgroups(u => u.CpuUsageUsec).Select(m => new Measurement<double>(m.Value / 1e6, m.Tags)), "s", "CPU time used by the processes of the vassal's cgroup");
            _meter.CreateObservableGauge("emperor.vassal.oom_kills", () => ObserveCgroups(u => u.OomKills), "{kill}", "Processes of the vassal the OOM killer killed");
            _meter.CreateObservableGauge("emperor.vassal.pids", () => ObserveCgroups(u => u.PidsCurrent), "{task}", "Tasks in the vassal's cgroup");
        }
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

    /// <summary>One measurement per vassal cgroup that has the number; the usage is read once per collection.</summary>
    private List<Measurement<long>> ObserveCgroups(Func<Core.Cgroups.CgroupUsage, long?> pick)
    {
        var result = new List<Measurement<long>>();
        var snapshot = _gauges;
        if (_cgroups is null)
        {
            return result;
        }

        // The gauges of one collection are observed one after the other: they share one reading.
        var cache = _usage;
        if (cache is null || !ReferenceEquals(cache.Snapshot, snapshot) || Environment.TickCount64 - cache.At > 250)
        {
            cache = new UsageReading(snapshot, Environment.TickCount64, snapshot.Cgroups.Select(c => (c.Vassal, _cgroups.Read(c))).ToList());
            _usage = cache;
        }

        foreach (var (vassal, usage) in cache.Usage)
        {
            if (pick(usage) is { } value)
            {
                result.Add(new Measurement<long>(value, new KeyValuePair<string, object?>("vassal", vassal)));
            }
        }

        return result;
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Gauge values at one moment.</summary>
    internal sealed record GaugeSnapshot(IReadOnlyList<KeyValuePair<string, long>> ByState, long Blacklist, long ThrottleMs, long Queued, double LoopLagSeconds)
    {
        /// <summary>The vassals' cgroups (<c>--emperor-cgroup</c>).</summary>
        public IReadOnlyList<Core.Cgroups.VassalCgroup> Cgroups { get; init; } = [];
    }

    private sealed record UsageReading(GaugeSnapshot Snapshot, long At, List<(string Vassal, Core.Cgroups.CgroupUsage Usage)> Usage);
}
