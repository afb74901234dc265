using Emperor.Core;
using Emperor.Core.Protocol;
using Emperor.Core.VassalRole;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>
/// Overlapping reloads (<c>reload-mode = overlap</c>): the new instance starts on the same held sockets beside the old
/// one; once it is ready (READY=1, byte 1, 5 or 17, or its <c>ready-check</c>) the old one is asked to stop (stop byte,
/// or its <c>stop-signal</c>) and killed after <c>--reload-mercy</c>. A new instance that dies or is not ready within
/// <c>ready-timeout</c> is killed and the old one keeps serving. Never more than two instances of one vassal: a change
/// during a reload supersedes it once the superseded instance is gone, and waits while an old one is still stopping.
/// The state machine sees only the instance that serves: the swap is a <see cref="VassalEvent.Spawned"/>.
/// </summary>
internal sealed partial class EmperorService
{
    /// <summary>A reload was asked for (file change, <c>emperor reload</c>, SIGHUP): overlapping when the file says so.</summary>
    private void Reload(VassalRecord record, string why)
    {
        if (record.Overlap is { } current)
        {
            // A newer change: this one is superseded; the reload restarts when its instance is gone.
            current.Why = why;
            if (!current.Superseded)
            {
                current.Superseded = true;
                LogOverlap($"reload of {record.Name} superseded by a newer change ({why}); stopping the new instance (pid: {current.Process.Pid})");
                current.Process.SignalGroup(Signals.Sigkill);
            }

            return;
        }

        if (record.Retiring.Count > 0)
        {
            record.OverlapPending = why;
            return;
        }

        if (record.State.Phase != VassalPhase.Running || record.Process is null || !TryRequest(record, out var request, out _)
            || ReadOwnConfig(request) is not { HasErrors: false } loaded
            || Supervision.Read(loaded.Options, _settings.ReloadMode) is not ({ Mode: ReloadMode.Overlap } supervision, { Count: 0 }))
        {
            // A config with errors takes the ordinary path too: its respawn is refused with one line.
            Apply(record, new VassalEvent.ConfigChanged(why));
            return;
        }

        StartOverlap(record, request, supervision, loaded, why);
    }

    private void StartOverlap(VassalRecord record, Core.Abstractions.LaunchRequest request, Supervision supervision, Core.Config.ConfigLoadResult loaded, string why)
    {
        var options = loaded.Options;
        if (!TryHoldSockets(record, ref request, loaded, null, out var error))
        {
            ReloadFailed(record, error);
            return;
        }

        if (!TryPrepareCgroup(record, ref request, out var cgroupRefusal))
        {
            ReloadFailed(record, cgroupRefusal is Core.Vassals.VassalEvent.ConfigRefused c ? c.Reason : ((Core.Vassals.VassalEvent.SpawnFailed)cgroupRefusal!).Reason);
            return;
        }

        var result = _launcher.Launch(request, (pid, exit) => Post(new EmperorEvent.ProcessExited(pid, exit)));
        if (result.Process is not { } process)
        {
            ReloadFailed(record, result.Error ?? "the new instance did not start");
            return;
        }

        var overlap = new OverlapReload(process, why, _time.GetUtcNow());
        record.Overlap = overlap;
        record.ReloadFailure = null;
        _byPid[process.Pid] = record;
        _ = LinkReader.RunAsync(record.Name, process, Post);
        var name = record.Name;
        var pid = process.Pid;
        overlap.Deadline = _time.CreateTimer(_ => Post(new EmperorEvent.OverlapDeadline(name, pid)), null, supervision.ReadyTimeout, Timeout.InfiniteTimeSpan);
        if (supervision.ReadyCheck is { } check)
        {
            var first = VassalPlanner.Plan(options).Plan.Sockets is [var s0, ..] ? s0.Address : null;
            _ = ReadyProbe.RunAsync(check, first, () => Post(new EmperorEvent.OverlapReady(name, pid)), overlap.Probe.Token);
        }

        LogOverlap($"overlap reload of {name} ({why}): new instance pid {pid} starting beside pid {record.State.Pid}");
    }

    /// <summary>Whether a link byte or sd_notify message belongs to the new instance of an overlapping reload (and handles it).</summary>
    private bool OnSuccessorSignal(VassalRecord record, int pid, bool ready)
    {
        if (record.Overlap is not { } overlap || overlap.Process.Pid != pid)
        {
            return false;
        }

        if (ready && overlap.Failed is null && !overlap.Superseded)
        {
            Promote(record, overlap);
        }

        return true;
    }

    private void OnOverlapReady(string name, int pid)
    {
        if (_records.TryGetValue(name, out var record))
        {
            OnSuccessorSignal(record, pid, ready: true);
        }
    }

    /// <summary>The new instance is ready: it becomes the vassal; the old one is asked to stop, and killed after the mercy.</summary>
    private void Promote(VassalRecord record, OverlapReload overlap)
    {
        overlap.Cancel();
        record.Overlap = null;
        if (record.Process is { } old)
        {
            var graceful = record.State.SpeaksProtocol;
            if (graceful)
            {
                old.Link.TrySend(_settings.GracefulShutdown ? EmperorMessage.GracefulStop : EmperorMessage.Stop);
            }

            old.SignalGroup(record.Supervision.StopSignal);
            var name = record.Name;
            var oldPid = old.Pid;
            var mercy = _time.CreateTimer(_ => Post(new EmperorEvent.RetireDeadline(name, oldPid)), null, _settings.ReloadMercy, Timeout.InfiniteTimeSpan);
            record.Retiring.Add(new RetiringInstance(old, mercy));
            LogOverlap($"overlap reload of {name}: pid {overlap.Process.Pid} is ready; stopping the old instance (pid: {oldPid}) with {Signals.Name(record.Supervision.StopSignal)}");
        }

        record.Process = overlap.Process;
        record.StartedAt = _time.GetUtcNow();
        Apply(record, new VassalEvent.Spawned(overlap.Process.Pid));
        Apply(record, new VassalEvent.NotifyReady());
    }

    private void OnOverlapDeadline(string name, int pid)
    {
        if (!_records.TryGetValue(name, out var record) || record.Overlap is not { } overlap || overlap.Process.Pid != pid || overlap.Failed is not null)
        {
            return;
        }

        overlap.Failed = $"the new instance (pid: {pid}) was not ready within {record.Supervision.ReadyTimeout.TotalSeconds:0} s";
        ReloadFailed(record, overlap.Failed);
        overlap.Process.SignalGroup(Signals.Sigkill);
    }

    private void OnRetireDeadline(string name, int pid)
    {
        if (_records.TryGetValue(name, out var record) && record.Retiring.Find(r => r.Process.Pid == pid) is { } retiring)
        {
            _termination.KillRetired(name, retiring.Process);
        }
    }

    /// <summary>An exit of a process that is not the serving instance: the new one of a reload, or a retired old one.</summary>
    private bool OnSideExit(VassalRecord record, int pid, VassalExit exit)
    {
        if (record.Overlap is { } overlap && overlap.Process.Pid == pid)
        {
            overlap.Cancel();
            record.Overlap = null;
            Dismiss(record, overlap.Process);
            if (overlap.Superseded)
            {
                Reload(record, overlap.Why);
            }
            else if (overlap.Failed is null)
            {
                _blacklist.OnDeath(record.Name, loyal: false, exit); // the blacklist counts the new instance only
                ReloadFailed(record, $"the new instance (pid: {pid}) died before it was ready ({exit})");
            }

            return true;
        }

        if (record.Retiring.Find(r => r.Process.Pid == pid) is { } retiring)
        {
            retiring.Mercy?.Dispose();
            record.Retiring.Remove(retiring);
            Dismiss(record, retiring.Process);
            if (record.Retiring.Count == 0 && record.OverlapPending is { } why && _records.ContainsKey(record.Name))
            {
                record.OverlapPending = null;
                Reload(record, why);
            }

            return true;
        }

        return false;
    }

    private void Dismiss(VassalRecord record, Core.Abstractions.IVassalProcess process)
    {
        _termination.SweepLeftovers(record, process);
        _launcher.Forget(process.Pid);
        process.Dispose();
    }

    private void ReloadFailed(VassalRecord record, string reason)
    {
        record.ReloadFailure = reason;
        LogReloadFailed(_logger, record.Name, reason, record.State.Pid);
    }

    /// <summary>The vassal goes away: the instances beside the serving one go with it, at once.</summary>
    private static void DropSideInstances(VassalRecord record)
    {
        if (record.Overlap is { } overlap)
        {
            overlap.Superseded = false;
            overlap.Failed ??= "the vassal is going away";
            overlap.Cancel();
            overlap.Process.SignalGroup(Signals.Sigkill);
        }

        record.OverlapPending = null;
        foreach (var r in record.Retiring)
        {
            r.Process.SignalGroup(Signals.Sigkill);
        }
    }

    private void LogOverlap(string text) => LogOverlapLine(_logger, text);
}
