using Emperor.Core.Vassals;
using Emperor.Hosting.Metrics;

namespace Emperor.Hosting;

/// <summary>Metrics: counters as decisions happen, gauges once per loop turn.</summary>
internal sealed partial class EmperorService
{
    private void Count(VassalState before, VassalState after, VassalEvent e)
    {
        switch (e)
        {
            case VassalEvent.Spawned:
                _metrics.Spawns.Add(1);
                if (after.Restarts > before.Restarts)
                {
                    _metrics.Restarts.Add(1);
                }

                break;
            case VassalEvent.Exited when after.Pid == 0 && before.Pid != 0:
                _metrics.Deaths.Add(1);
                break;
            case VassalEvent.HeartbeatMissed when after.HeartbeatGeneration != before.HeartbeatGeneration || after.Phase != before.Phase:
                _metrics.HeartbeatTimeouts.Add(1);
                break;
            default:
                break;
        }

        if (after.Respawns > before.Respawns || (e is VassalEvent.ConfigChanged && after.Phase == VassalPhase.Restarting))
        {
            _metrics.Reloads.Add(1);
        }
    }

    private void PublishGauges()
    {
        var byState = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in _records.Values)
        {
            var name = PhaseName(r.State.Phase);
            byState[name] = byState.GetValueOrDefault(name) + 1;
        }

        _metrics.Publish(new EmperorMetrics.GaugeSnapshot(
            byState.ToList(),
            _blacklist.Entries.Count(),
            (long)_throttle.Level.TotalMilliseconds,
            _spawns.Count,
            _lastLagSeconds)
        {
            Cgroups = _cgroups is null ? [] : _records.Values.Where(r => r.Cgroup is not null).Select(r => r.Cgroup!).ToList(),
        });
    }
}
