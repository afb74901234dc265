using Emperor.Core.Abstractions;
using Emperor.Core.Cgroups;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// <c>--emperor-cgroup DIR</c> (docs/jails.md): every vassal in a cgroup of its own, joined by its child set-up step
/// before the vassal binary runs; everything in it is killed whenever the vassal's end is carried out (the leader
/// exited, the stop escalated, Ragnarok), and the empty cgroup removed when the vassal goes away.
/// </summary>
internal sealed partial class EmperorService
{
    /// <summary>How often a cgroup whose killed processes are not reaped yet is tried again, and for how long.</summary>
    private static readonly TimeSpan s_cgroupRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_cgroupPatience = TimeSpan.FromSeconds(10);

    private readonly List<(VassalCgroup Cgroup, long Since)> _cgroupsToRemove = [];
    private bool _cgroupSweepArmed;
    private long? _burialWaitSince;

    /// <summary>
    /// Creates the vassal's cgroup and writes its limits (the Emperor's <c>--emperor-cgroup-opt</c>, then the vassal
    /// file's <c>emperor-cgroup-opt</c>), and names it in the request: the child joins it first thing. False with the
    /// refusal when that fails; the vassal is not started.
    /// </summary>
    private bool TryPrepareCgroup(VassalRecord record, ref LaunchRequest request, out Core.Vassals.VassalEvent? refusal)
    {
        refusal = null;
        if (_cgroups is null)
        {
            return true;
        }

        var limits = new List<KeyValuePair<string, string>>(_settings.CgroupOptions);
        var fromFile = false;
        if (request.Uid is null && _configReader is not null && _configReader.Read(request, out _) is { } loaded)
        {
            // Read as the vassal will read it (a tyrant vassal's file is never read with the Emperor's privileges).
            var (plan, _) = Core.VassalRole.VassalPlanner.Plan(loaded.Options, loaded.Locations);
            limits.AddRange(plan.EmperorCgroupOptions.Select(o => o.Option));
            fromFile = true;
        }

        var cgroup = _cgroups.Prepare(record.Name, limits, out var error);
        if (cgroup is null)
        {
            refusal = error!.StartsWith("emperor-cgroup-opt", StringComparison.Ordinal)
                ? new Core.Vassals.VassalEvent.ConfigRefused(record.Entry.Path ?? record.Name, error)
                : new Core.Vassals.VassalEvent.SpawnFailed(error);
            return false;
        }

        if (record.Cgroup is null && _cgroups.Kill(cgroup))
        {
            // A fresh record finds processes in its cgroup: left by an Emperor that died before it could end them.
            LogCgroupLeftovers(_logger, record.Name, cgroup.Members);
        }

        record.Cgroup = cgroup;
        var env = new List<KeyValuePair<string, string>>(request.Environment.Count + 2);
        env.AddRange(request.Environment.Where(kv => kv.Key is not (EmperorCgroupVariables.Path or EmperorCgroupVariables.Limits)));
        env.Add(new(EmperorCgroupVariables.Path, cgroup.Members));
        if (fromFile)
        {
            env.Add(new(EmperorCgroupVariables.Limits, EmperorCgroupVariables.FromFile));
        }

        request = request with { Environment = env, CgroupProcs = cgroup.ProcsFiles };
        return true;
    }

    /// <summary>
    /// Kills everything in the vassal's cgroup, unless another instance of it (an overlapping reload) still runs
    /// there. Called where the vassal's end is carried out: after its leader exited, and with every SIGKILL of it.
    /// </summary>
    private void KillCgroup(VassalRecord record, string why)
    {
        if (_cgroups is null || record.Cgroup is not { } cgroup || record.Overlap is not null || record.Retiring.Count > 0)
        {
            return;
        }

        if (_cgroups.Kill(cgroup))
        {
            LogCgroupKilled(_logger, record.Name, why);
        }
    }

    /// <summary>The vassal is gone for good: end what is left in its cgroup and remove it (once its processes are reaped).</summary>
    private void ReleaseCgroup(VassalRecord record)
    {
        if (_cgroups is null || record.Cgroup is not { } cgroup)
        {
            return;
        }

        record.Cgroup = null;
        _cgroups.Kill(cgroup);
        if (!_cgroups.TryRemove(cgroup))
        {
            _cgroupsToRemove.Add((cgroup, _time.GetTimestamp()));
            ArmCgroupSweep();
        }
    }

    private void ArmCgroupSweep()
    {
        if (!_cgroupSweepArmed)
        {
            _cgroupSweepArmed = true;
            OneShot(s_cgroupRetry, new EmperorEvent.CgroupSweep());
        }
    }

    private void OnCgroupSweep()
    {
        _cgroupSweepArmed = false;
        if (_cgroups is null)
        {
            return;
        }

        for (var i = _cgroupsToRemove.Count - 1; i >= 0; i--)
        {
            var (cgroup, since) = _cgroupsToRemove[i];
            if (_records.TryGetValue(cgroup.Vassal, out var again) && again.Cgroup is not null)
            {
                _cgroupsToRemove.RemoveAt(i); // the vassal came back and uses its cgroup again
            }
            else if (_cgroups.TryRemove(cgroup))
            {
                _cgroupsToRemove.RemoveAt(i);
            }
            else if (_time.GetElapsedTime(since) > s_cgroupPatience)
            {
                _cgroupsToRemove.RemoveAt(i);
                LogCgroupNotRemoved(_logger, cgroup.Vassal, cgroup.Members, (int)s_cgroupPatience.TotalSeconds);
            }
            else
            {
                _cgroups.Kill(cgroup); // whatever joined since (a fork under way at the kill)
            }
        }

        if (_cgroupsToRemove.Count > 0)
        {
            ArmCgroupSweep();
        }

        if (_burialWaitSince is not null)
        {
            Bury(); // a burial that waited for these (also one the final deadline asked for, with survivors left)
        }
    }

    /// <summary>
    /// Whether the burial waits: cgroups whose killed processes are not reaped yet get up to 2 s more (the sweep's
    /// event brings the loop back here); after that, one line each for those still there.
    /// </summary>
    private bool CgroupsDelayBurial()
    {
        if (_cgroups is null || _cgroupsToRemove.Count == 0)
        {
            return false;
        }

        _burialWaitSince ??= _time.GetTimestamp();
        if (_time.GetElapsedTime(_burialWaitSince.Value) < TimeSpan.FromSeconds(2))
        {
            ArmCgroupSweep();
            return true;
        }

        foreach (var (cgroup, _) in _cgroupsToRemove)
        {
            LogCgroupNotRemoved(_logger, cgroup.Vassal, cgroup.Members, 2);
        }

        _cgroupsToRemove.Clear();
        return false;
    }

    /// <summary>The stats document with each vassal's cgroup usage (a few small reads per vassal).</summary>
    private static Core.Stats.EmperorStats WithCgroupUsage(Core.Stats.EmperorStats stats, IVassalCgroups cgroups)
    {
        var vassals = new List<Core.Stats.VassalStats>(stats.Vassals.Count);
        foreach (var v in stats.Vassals)
        {
            if (v.CgroupHandle is not { } handle)
            {
                vassals.Add(v);
                continue;
            }

            var u = cgroups.Read(handle);
            vassals.Add(v with { MemoryCurrent = u.MemoryCurrent, MemoryPeak = u.MemoryPeak, CpuUsageUsec = u.CpuUsageUsec, OomKills = u.OomKills, PidsCurrent = u.PidsCurrent });
        }

        return stats with { Vassals = vassals };
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "[emperor] vassal {Vassal}: killed what was left in its cgroup ({Why})")]
    private static partial void LogCgroupKilled(ILogger logger, string vassal, string why);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal}: its cgroup {Cgroup} held processes from an earlier run; killed them")]
    private static partial void LogCgroupLeftovers(ILogger logger, string vassal, string cgroup);

    [LoggerMessage(EventId = 152, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal}: its cgroup {Cgroup} is still not empty {Seconds} s after the kill; left in place")]
    private static partial void LogCgroupNotRemoved(ILogger logger, string vassal, string cgroup, int seconds);
}
