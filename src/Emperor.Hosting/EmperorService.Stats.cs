using Emperor.Core.Stats;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Stats: the uWSGI-shaped document (spec §8) and the timestamps it reports.</summary>
internal sealed partial class EmperorService
{
    private static string PhaseName(VassalPhase phase) => phase switch
    {
        VassalPhase.New => "new",
        VassalPhase.Running => "running",
        VassalPhase.Waiting => "waiting",
        VassalPhase.Restarting => "restarting",
        VassalPhase.Stopping => "stopping",
        VassalPhase.Exiled => "exiled",
        VassalPhase.Held => "held",
        VassalPhase.Sleeping => "on-demand",
        _ => "deleted",
    };

    /// <summary>Keeps the uWSGI stats timestamps (unix seconds) in step with the state.</summary>
    private void Stamp(VassalRecord record, VassalState before, VassalState after, VassalEvent e)
    {
        var now = _time.GetUtcNow();
        var unix = now.ToUnixTimeSeconds();
        if (after.Ready && !before.Ready)
        {
            record.LastReady = unix;
        }

        if (after.Accepting && !before.Accepting)
        {
            record.LastAccepting = unix;
        }

        if (after.Loyal && !before.Loyal)
        {
            record.LastLoyal = unix;
        }

        if (e is VassalEvent.LinkMessage { Message: Core.Protocol.EmperorMessage.Heartbeat })
        {
            record.LastHeartbeat = unix;
        }

        if (e is VassalEvent.Spawned)
        {
            record.LastRun = unix;
            record.LastHeartbeat = 0;
        }

        record.CursedAt = after.Cursed || after.Phase is VassalPhase.Stopping ? (record.CursedAt == 0 ? unix : record.CursedAt) : 0;
        record.NextSpawnAt = after.Phase == VassalPhase.Waiting
            ? (before.Phase == VassalPhase.Waiting && before.TimerGeneration == after.TimerGeneration ? record.NextSpawnAt : (now + after.WaitDelay).ToUnixTimeMilliseconds() / 1000.0)
            : null;
    }

    private EmperorStats BuildStats()
    {
        var now = _time.GetUtcNow();
        var vassals = new List<VassalStats>(_records.Count);
        foreach (var r in _records.Values)
        {
            var s = r.State;
            vassals.Add(new VassalStats
            {
                Id = r.Name,
                Pid = s.Pid > 0 ? s.Pid : -1,
                Born = r.BornNs / 1_000_000_000,
                LastMod = r.Entry.ModifiedNs / 1_000_000_000,
                LastHeartbeat = r.LastHeartbeat,
                Loyal = s.Loyal ? 1 : 0,
                Ready = s.Ready ? 1 : 0,
                Accepting = s.Accepting ? 1 : 0,
                LastLoyal = r.LastLoyal,
                LastReady = r.LastReady,
                LastAccepting = r.LastAccepting,
                FirstRun = r.FirstRun,
                LastRun = r.LastRun,
                Cursed = r.CursedAt,
                Zerg = 0,
                OnDemand = r.OnDemandAddress ?? string.Empty,
                Uid = r.Entry.Uid,
                Gid = r.Entry.Gid,
                Monitor = _monitors[r.Monitor].Argument,
                Respawns = s.Respawns,
                State = PhaseName(s.Phase),
                Reason = s.Reason ?? string.Empty,
                Restarts = s.Restarts,
                SpeaksProtocol = s.SpeaksProtocol,
                LastExitCode = s.LastExit?.ExitCode,
                LastExitSignal = s.LastExit?.Signal,
                NextSpawn = r.NextSpawnAt,
                Status = r.Status,
                ReloadMode = r.Supervision.Mode == Core.VassalRole.ReloadMode.Overlap ? "overlap" : "restart",
                ReloadPhase = r.Overlap is not null ? "starting" : r.Retiring.Count > 0 ? "stopping old" : string.Empty,
                NewPid = r.Overlap?.Process.Pid ?? 0,
                OldPids = r.Retiring.ConvertAll(x => x.Process.Pid),
                ReloadFailed = r.ReloadFailure is { } f ? "reload failed: " + f : string.Empty,
                Sockets = _held?.AddressesOf(r.Name) ?? [],
                Subscriptions = SubscriptionStatsOf(r),
                Uptime = s.Pid > 0 && r.StartedAt is { } started ? (long)(now - started).TotalSeconds : 0,
                Cgroup = r.Cgroup?.Members,
                CgroupHandle = r.Cgroup,
            });
        }

        var blacklist = _blacklist.Entries.Select(b => new BlacklistStats
        {
            Id = b.Name,
            ThrottleLevel = (long)b.Level.TotalMilliseconds,
            Attempt = b.Attempts,
            FirstAttempt = ToUnix(b.FirstAttempt, now),
            LastAttempt = ToUnix(b.LastAttempt, now),
            Reason = _records.TryGetValue(b.Name, out var rec) ? rec.State.Reason ?? string.Empty : string.Empty,
        }).ToList();

        return new EmperorStats
        {
            Version = VersionInfo.Version,
            Pid = Environment.ProcessId,
            Uid = _identity.Uid,
            Gid = _identity.Gid,
            Cwd = Directory.GetCurrentDirectory(),
            Emperor = _monitors.Select(m => m.Argument).ToList(),
            EmperorTyrant = _settings.Tyrant ? 1 : 0,
            ThrottleLevel = (long)_throttle.Level.TotalMilliseconds,
            Vassals = vassals,
            Blacklist = blacklist,
            Uptime = (long)_time.GetElapsedTime(_startedAt).TotalSeconds,
            ThrottleQueue = _spawns.Names.ToList(),
            Ragnarok = _ragnarok,
            Scans = _scans,
        };
    }

    private long ToUnix(long timestamp, DateTimeOffset now) =>
        (now - _time.GetElapsedTime(timestamp)).ToUnixTimeSeconds();

    /// <summary>Every rescan period: each monitor gets its vassals' states (pg:// writes them back).</summary>
    private void ReportStatusToMonitors()
    {
        if (_ragnarok)
        {
            return;
        }

        var stats = BuildStats();
        for (var i = 0; i < _monitors.Count; i++)
        {
            var argument = _monitors[i].Argument;
            _monitors[i].ReportStatus(stats.Vassals.Where(v => v.Monitor == argument).ToList());
        }
    }

    /// <summary>The one-line status systemd shows (sd_notify STATUS=).</summary>
    private void ReportStatus() =>
        _systemd.Status(_ragnarok ? "The Emperor is burying its vassals" : $"The Emperor is governing {_byPid.Count} vassals");
}
