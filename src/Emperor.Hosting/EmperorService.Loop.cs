using System.Globalization;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>The loop: one thread reads the channel and dispatches each event; the end of a turn publishes gauges.</summary>
internal sealed partial class EmperorService
{
    /// <summary>A turn ends when the channel is empty, or after this many events under a steady stream.</summary>
    private const int MaxEventsPerTurn = 256;

    private bool _statusDirty;

    private void Loop()
    {
        try
        {
            LogStarting(_logger);
            if (_settings.PidFile is { } pidFile)
            {
                File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            }

            _spawns.WarmingUp = true;
            for (var i = 0; i < _monitors.Count; i++)
            {
                var index = i;
                _monitors[i].Start(() => Post(new EmperorEvent.MonitorDirty(index)));
                Rescan(i);
            }

            _spawns.WarmingUp = false;
            _systemd.Send("READY=1");
            ReportStatus();

            _periodic = _time.CreateTimer(_ => Post(new EmperorEvent.PeriodicRescan()), null, _settings.Frequency, _settings.Frequency);
            var reader = _events.Reader;
            var inTurn = 0;
            while (!_exit.Task.IsCompleted)
            {
                if (inTurn >= MaxEventsPerTurn || !reader.TryRead(out var e))
                {
                    EndTurn();
                    inTurn = 0;
                    if (reader.TryPeek(out _))
                    {
                        continue;
                    }

                    // Blocking wait on the dedicated thread: nothing else runs here, and the thread must stay
                    // alive (PDEATHSIG is tied to it), so it must not become an async continuation.
                    if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                inTurn++;
                Handle(e);
            }
        }
        catch (Exception ex)
        {
            LogLoopCrashed(_logger, ex);
            _termination.KillAll(_records.Values, "the event loop failed");
            foreach (var r in _records.Values)
            {
                KillCgroup(r, "the event loop failed");
            }

            _exit.TrySetResult(1);
        }
    }

    /// <summary>Once per turn, not per event: gauges and the systemd status line.</summary>
    private void EndTurn()
    {
        if (_statusDirty)
        {
            _statusDirty = false;
            ReportStatus();
        }

        if (_exporter is not null)
        {
            PublishGauges();
        }
    }

    private void Handle(EmperorEvent e)
    {
        _spawns.BeginEvent();
        switch (e)
        {
            case EmperorEvent.MonitorDirty d:
                if (!_rescanScheduled[d.Monitor] && !_ragnarok)
                {
                    _rescanScheduled[d.Monitor] = true;
                    OneShot(s_coalesce, new EmperorEvent.RescanDue(d.Monitor));
                }

                break;
            case EmperorEvent.RescanDue r:
                _rescanScheduled[r.Monitor] = false;
                Rescan(r.Monitor);
                break;
            case EmperorEvent.PeriodicRescan:
                RescanAll();
                ReportStatusToMonitors();
                break;
            case EmperorEvent.ProcessExited x:
                OnProcessExited(x.Pid, x.Exit);
                break;
            case EmperorEvent.LinkByte b:
                OnLinkByte(b);
                break;
            case EmperorEvent.LinkEof eof:
                WithCurrent(eof.Name, eof.Pid, new VassalEvent.LinkClosed());
                break;
            case EmperorEvent.VassalTimer t:
                WithRecord(t.Name, new VassalEvent.TimerFired(t.Generation));
                break;
            case EmperorEvent.Signal s:
                OnSignal(s.Number);
                break;
            case EmperorEvent.MercyExpired:
                OnMercyExpired();
                break;
            case EmperorEvent.FinalDeadline:
                OnFinalDeadline();
                break;
            case EmperorEvent.HeartbeatDeadline h:
                WithRecord(h.Name, new VassalEvent.HeartbeatMissed(h.Generation));
                break;
            case EmperorEvent.LoyaltyDue l:
                WithRecord(l.Name, new VassalEvent.LoyaltyPeriodElapsed(l.Spawn));
                break;
            case EmperorEvent.ThrottleDue:
                _spawns.OnThrottleDue();
                break;
            case EmperorEvent.SpawnSliceDue:
                _spawns.OnSliceDue();
                break;
            case EmperorEvent.Notify n:
                OnNotify(n);
                break;
            case EmperorEvent.Command c:
                c.Reply.TrySetResult(OnCommand(c.Request));
                break;
            case EmperorEvent.LagProbe probe:
                _lastLagSeconds = _time.GetElapsedTime(probe.PostedAt).TotalSeconds;
                break;
            case EmperorEvent.StatsRequest sr:
                sr.Reply.TrySetResult(BuildStats());
                break;
            case EmperorEvent.OnDemandWake w:
                OnDemandWake(w.Name);
                break;
            case EmperorEvent.OnDemandResolved r:
                OnDemandResolved(r.Name, r.Address);
                break;
            case EmperorEvent.OverlapDeadline od:
                OnOverlapDeadline(od.Name, od.Pid);
                break;
            case EmperorEvent.OverlapReady or:
                OnOverlapReady(or.Name, or.Pid);
                break;
            case EmperorEvent.RetireDeadline rd:
                OnRetireDeadline(rd.Name, rd.Pid);
                break;
            case EmperorEvent.AnnounceDue:
                Reannounce();
                break;
            case EmperorEvent.CgroupSweep:
                OnCgroupSweep();
                break;
        }

        if (_ragnarok && _records.Count == 0)
        {
            Bury();
        }
        else if (e is EmperorEvent.ProcessExited or EmperorEvent.RescanDue or EmperorEvent.PeriodicRescan)
        {
            _statusDirty = true;
        }
    }

    private void WithRecord(string name, VassalEvent e)
    {
        if (_records.TryGetValue(name, out var record))
        {
            Apply(record, e);
        }
    }

    /// <summary>Applies <paramref name="e"/> only if it came from the vassal's current process.</summary>
    private void WithCurrent(string name, int pid, VassalEvent e)
    {
        if (_records.TryGetValue(name, out var record) && record.State.Pid == pid)
        {
            Apply(record, e);
        }
    }

    private void OneShot(TimeSpan delay, EmperorEvent e)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                Post(e);
                timer?.Dispose();
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
    }
}
