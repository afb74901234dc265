using Emperor.Core.Policies;
using Emperor.Core.Protocol;
using static Emperor.Core.Vassals.VassalEffect;

namespace Emperor.Core.Vassals;

/// <summary>
/// The vassal lifecycle as a pure function: <c>Apply(state, event) -> (state, effects)</c>. The shell runs the
/// effects (spawn, bytes, signals, timers) and feeds the outcomes back as events.
/// </summary>
/// <remarks>
/// Semantics follow uWSGI's Emperor (spec §3) without its documented shortcomings (peer REPORT.md):
/// <list type="bullet">
/// <item>A vassal that speaks the protocol is reloaded by byte 1 and stopped by byte 0 (2 when graceful);
/// SIGKILL follows after the stop tolerance.</item>
/// <item>A vassal that never spoke gets the reload byte too; if it has not read it within
/// <see cref="VassalPolicy.ReloadAckTimeout"/> it is restarted (SIGTERM to its group, then a fresh process).
/// It is stopped with the stop byte and SIGTERM at once, instead of uWSGI's 30 s wait for a byte it never reads.</item>
/// <item>A death is respawned while the source exists, after the blacklist's delay; exit code 26 exiles it
/// until its config changes; a vassal that exits in answer to a reload byte is respawned at once.</item>
/// </list>
/// </remarks>
internal static partial class VassalStateMachine
{
    public static (VassalState State, List<VassalEffect> Effects) Start(string name) =>
        (new VassalState { Name = name, Phase = VassalPhase.New }, [new Spawn()]);

    public static (VassalState State, List<VassalEffect> Effects) Apply(
        VassalState s, VassalEvent e, VassalPolicy policy, Blacklist blacklist)
    {
        var fx = new List<VassalEffect>();
        var next = e switch
        {
            VassalEvent.Spawned sp => OnSpawned(s, sp, policy, fx),
            VassalEvent.SpawnFailed f => OnSpawnFailed(s, f, blacklist, fx),
            VassalEvent.ConfigRefused r => OnConfigRefused(s, r, fx),
            VassalEvent.ConfigChanged c => OnConfigChanged(s, c.Why, policy, fx),
            VassalEvent.OwnerChanged => OnRestart(s, "owner of its config changed", policy, fx),
            VassalEvent.ReloadIgnored => OnRestart(s with { ReloadPending = false }, "did not read the reload byte (does not speak the emperor protocol); restarting it", policy, fx),
            VassalEvent.ReloadAcknowledged => s with { ReloadPending = false },
            VassalEvent.Removed r => OnRemoved(s, r.Why, policy, blacklist, fx),
            VassalEvent.Exited x => OnExited(s, x, blacklist, fx),
            VassalEvent.LinkMessage m => OnMessage(s, m.Message, policy, blacklist, fx),
            VassalEvent.LinkClosed => OnLinkClosed(s, policy, fx),
            VassalEvent.TimerFired t => OnTimer(s, t.Generation, policy, fx),
            VassalEvent.Pardoned => OnPardoned(s, fx),
            VassalEvent.OperatorStop => OnOperatorStop(s, policy, fx),
            VassalEvent.SigtermIgnored => OnSigtermIgnored(s, policy, fx),
            VassalEvent.OperatorStart => OnOperatorStart(s, fx),
            VassalEvent.Heartbeat => OnHeartbeat(s, policy, fx),
            VassalEvent.NotifyReady => OnReadyNotified(s, blacklist, fx),
            VassalEvent.NotifyNotReady => s with { Ready = false },
            VassalEvent.HeartbeatMissed h => OnHeartbeatMissed(s, h.Generation, policy, fx),
            VassalEvent.LoyaltyPeriodElapsed l => OnLoyaltyPeriod(s, l.Spawn, policy, blacklist, fx),
            VassalEvent.OnDemandArmed a => OnDemandArmed(s, a.Address, fx),
            VassalEvent.Woken => OnWoken(s, fx),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown vassal event"),
        };
        return (next, fx);
    }

    private static VassalState OnSpawned(VassalState s, VassalEvent.Spawned e, VassalPolicy policy, List<VassalEffect> fx)
    {
        var restarts = s.Spawns > 0 ? s.Restarts + 1 : s.Restarts;
        fx.Add(new Log(VassalLogKind.Spawned, $"vassal {s.Name} has been spawned (pid: {e.Pid})"));
        if (policy.LoyalAfter > TimeSpan.Zero)
        {
            fx.Add(new StartLoyaltyTimer(policy.LoyalAfter, s.Spawns + 1));
        }

        return s with
        {
            Phase = VassalPhase.Running,
            Pid = e.Pid,
            Spawns = s.Spawns + 1,
            Restarts = restarts,
            Ready = false,
            Accepting = false,
            Loyal = false,
            Cursed = false,
            ReloadPending = false,
            SpeaksProtocol = false,
            HeartbeatSuspect = false,
            HeartbeatGeneration = s.HeartbeatGeneration + 1,
            Reason = "running",
        };
    }

    private static VassalState OnSpawnFailed(VassalState s, VassalEvent.SpawnFailed e, Blacklist blacklist, List<VassalEffect> fx)
    {
        fx.Add(new Log(VassalLogKind.SpawnFailed, $"unable to spawn vassal {s.Name}: {e.Reason}"));
        if (s.Phase == VassalPhase.Stopping)
        {
            fx.Add(new Delete());
            return s with { Phase = VassalPhase.Deleted, Pid = 0 };
        }

        var decision = blacklist.OnDeath(s.Name, loyal: false, VassalExit.Unknown);
        return ScheduleRespawn(s with { Pid = 0 }, decision, fx);
    }

    /// <summary>A config that can only fail costs one line and no process until it changes (it waits as Exiled).</summary>
    private static VassalState OnConfigRefused(VassalState s, VassalEvent.ConfigRefused e, List<VassalEffect> fx)
    {
        if (s.Phase == VassalPhase.Stopping)
        {
            fx.Add(new Delete());
            return s with { Phase = VassalPhase.Deleted, Pid = 0 };
        }

        fx.Add(new Log(VassalLogKind.SpawnFailed, $"{e.Path}: not started: {e.Reason}; waiting for the file to change"));
        return s with { Phase = VassalPhase.Exiled, Pid = 0, TimerGeneration = s.TimerGeneration + 1, Reason = "not started: " + e.Reason };
    }

    private static VassalState OnDemandArmed(VassalState s, string address, List<VassalEffect> fx)
    {
        if (s.Phase != VassalPhase.New)
        {
            return s;
        }

        fx.Add(new Log(VassalLogKind.OnDemand, $"vassal {s.Name} is waiting for a connection on {address} (on demand)"));
        return s with { Phase = VassalPhase.Sleeping, Pid = 0, TimerGeneration = s.TimerGeneration + 1, Reason = "on demand: waiting for a connection on " + address };
    }

    private static VassalState OnWoken(VassalState s, List<VassalEffect> fx)
    {
        if (s.Phase != VassalPhase.Sleeping)
        {
            return s;
        }

        fx.Add(new Spawn());
        return s with { Phase = VassalPhase.New, Reason = "on demand: a connection arrived" };
    }

    private static VassalState OnConfigChanged(VassalState s, string why, VassalPolicy policy, List<VassalEffect> fx)
    {
        switch (s.Phase)
        {
            case VassalPhase.Running:
                fx.Add(new Log(VassalLogKind.Reload, $"reload the uwsgi instance {s.Name} ({why})"));
                fx.Add(new SendMessage(EmperorMessage.Reload));
                if (s.SpeaksProtocol)
                {
                    return s with { Respawns = s.Respawns + 1, Ready = false, Accepting = false, Reason = "reloaded: " + why };
                }

                var gen = s.TimerGeneration + 1;
                fx.Add(new StartTimer(policy.ReloadAckTimeout, gen));
                return s with { ReloadPending = true, TimerGeneration = gen, Respawns = s.Respawns + 1, Reason = "reload byte sent: " + why };

            case VassalPhase.Waiting:
            case VassalPhase.Exiled:
            case VassalPhase.New:
                // The operator changed the config: try it now instead of waiting out the old one's penalty.
                fx.Add(new Log(VassalLogKind.Respawn, $"config of vassal {s.Name} changed ({why}); spawning it now"));
                fx.Add(new Spawn());
                return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = "config changed" };

            default:
                // Restarting picks the new config up when the old process is gone; Stopping does not care.
                return s;
        }
    }

    private static VassalState OnRestart(VassalState s, string why, VassalPolicy policy, List<VassalEffect> fx)
    {
        switch (s.Phase)
        {
            case VassalPhase.Running:
                var gen = s.TimerGeneration + 1;
                fx.Add(new Log(VassalLogKind.Reload, $"restart the vassal {s.Name} (pid: {s.Pid}): {why}"));
                fx.Add(new SignalGroup(Signals.Sigterm));
                fx.Add(new StartTimer(policy.StopTolerance, gen));
                return s with { Phase = VassalPhase.Restarting, TimerGeneration = gen, Reason = why };
            case VassalPhase.Waiting:
            case VassalPhase.Exiled:
                fx.Add(new Spawn());
                return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = why };
            default:
                return s;
        }
    }

    private static VassalState OnRemoved(VassalState s, string why, VassalPolicy policy, Blacklist blacklist, List<VassalEffect> fx)
    {
        blacklist.Drop(s.Name);
        switch (s.Phase)
        {
            case VassalPhase.Running:
            case VassalPhase.Restarting:
                var gen = s.TimerGeneration + 1;
                fx.Add(new Log(VassalLogKind.Stop, $"stop the uwsgi instance {s.Name} (pid: {s.Pid}): {why}"));
                fx.Add(new SendMessage(policy.GracefulShutdown ? EmperorMessage.GracefulStop : EmperorMessage.Stop));
                if (!s.SpeaksProtocol)
                {
                    fx.Add(new SignalGroup(Signals.Sigterm));
                }

                fx.Add(new StartTimer(policy.StopTolerance, gen));
                return s with { Phase = VassalPhase.Stopping, TimerGeneration = gen, Reason = "stopping: " + why };
            case VassalPhase.Stopping:
            case VassalPhase.Deleted:
                return s;
            default:
                fx.Add(new Log(VassalLogKind.Removed, $"removed uwsgi instance {s.Name} ({why})"));
                fx.Add(new Delete());
                return s with { Phase = VassalPhase.Deleted, TimerGeneration = s.TimerGeneration + 1 };
        }
    }

    private static VassalState OnExited(VassalState s, VassalEvent.Exited e, Blacklist blacklist, List<VassalEffect> fx)
    {
        if (e.Pid != s.Pid)
        {
            return s; // a stale notification about an earlier process
        }

        var dead = s with { Pid = 0, LastExit = e.Exit, Cursed = false, Ready = false, Accepting = false };
        switch (s.Phase)
        {
            case VassalPhase.Stopping when s.HoldAfterStop:
                fx.Add(new Log(VassalLogKind.Stop, $"vassal {s.Name} (pid: {e.Pid}) stopped by request ({e.Exit}); held until started again"));
                return dead with { Phase = VassalPhase.Held, HoldAfterStop = false, TimerGeneration = s.TimerGeneration + 1, Reason = "stopped by an operator" };

            case VassalPhase.Stopping:
                fx.Add(new Log(VassalLogKind.Removed, $"removed uwsgi instance {s.Name} (pid: {e.Pid}, {e.Exit})"));
                fx.Add(new Delete());
                return dead with { Phase = VassalPhase.Deleted, TimerGeneration = s.TimerGeneration + 1 };

            case VassalPhase.Restarting:
                fx.Add(new Spawn());
                return dead with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = "restarting" };

            case VassalPhase.Running when s.ReloadPending:
                fx.Add(new Log(VassalLogKind.Respawn, $"vassal {s.Name} (pid: {e.Pid}) exited on reload ({e.Exit}); respawning it"));
                fx.Add(new Spawn());
                return dead with { Phase = VassalPhase.New, ReloadPending = false, TimerGeneration = s.TimerGeneration + 1, Reason = "exited on reload" };

            case VassalPhase.Running when e.Exit.ExitCode == EmperorMessage.ExileExitCode:
                fx.Add(new Log(VassalLogKind.Exiled, $"vassal {s.Name} (pid: {e.Pid}) exited with code 26: it asked not to be respawned until its config changes"));
                return dead with { Phase = VassalPhase.Exiled, Reason = "exiled (exit code 26)" };

            case VassalPhase.Running:
                fx.Add(new Log(VassalLogKind.Died, $"vassal {s.Name} (pid: {e.Pid}) died ({e.Exit})"));
                var decision = blacklist.OnDeath(s.Name, s.Loyal, e.Exit);
                return ScheduleRespawn(dead, decision, fx);

            default:
                return dead;
        }
    }

    private static VassalState ScheduleRespawn(VassalState s, BlacklistDecision decision, List<VassalEffect> fx)
    {
        if (decision.Delay <= TimeSpan.Zero)
        {
            fx.Add(new Log(VassalLogKind.Respawn, $"respawning vassal {s.Name}: {decision.Reason}"));
            fx.Add(new Spawn());
            return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = decision.Reason, WaitDelay = TimeSpan.Zero };
        }

        var gen = s.TimerGeneration + 1;
        fx.Add(new Log(VassalLogKind.Blacklisted, $"vassal {s.Name} {decision.Reason}"));
        fx.Add(new StartTimer(decision.Delay, gen));
        return s with { Phase = VassalPhase.Waiting, TimerGeneration = gen, Reason = decision.Reason, WaitDelay = decision.Delay };
    }

    private static VassalState OnMessage(VassalState s, byte message, VassalPolicy policy, Blacklist blacklist, List<VassalEffect> fx)
    {
        if (s.Pid == 0)
        {
            return s;
        }

        var spoke = s with { SpeaksProtocol = true, ReloadPending = false };
        switch (message)
        {
            case EmperorMessage.Ready:
                fx.Add(new Log(VassalLogKind.Ready, $"vassal {s.Name} has been spawned"));
                return spoke with { Ready = true };
            case EmperorMessage.Accepting:
                fx.Add(new Log(VassalLogKind.Accepting, $"vassal {s.Name} is ready to accept requests"));
                return spoke with { Accepting = true };
            case EmperorMessage.Loyal:
                if (!s.Loyal)
                {
                    fx.Add(new Log(VassalLogKind.Loyal, $"vassal {s.Name} is now loyal"));
                }

                blacklist.Forgive(s.Name);
                return spoke with { Loyal = true };
            case EmperorMessage.Heartbeat:
                return OnHeartbeat(spoke, policy, fx);
            case EmperorMessage.VoluntaryShutdown when s.Phase == VassalPhase.Running:
                fx.Add(new Log(VassalLogKind.Stop, $"vassal {s.Name} asked to shut down; it will be respawned"));
                fx.Add(new SendMessage(policy.GracefulShutdown ? EmperorMessage.GracefulStop : EmperorMessage.Stop));
                var gen = s.TimerGeneration + 1;
                fx.Add(new StartTimer(policy.StopTolerance, gen));
                return spoke with { Phase = VassalPhase.Restarting, TimerGeneration = gen, Reason = "voluntary shutdown" };
            default:
                return spoke;
        }
    }

    private static VassalState OnLinkClosed(VassalState s, VassalPolicy policy, List<VassalEffect> fx)
    {
        // A program that never spoke the protocol may close inherited fds at start-up: that means nothing.
        if (s.Pid == 0 || !s.SpeaksProtocol || s.Phase != VassalPhase.Running)
        {
            return s;
        }

        var gen = s.TimerGeneration + 1;
        fx.Add(new Log(VassalLogKind.Curse, $"curse the uwsgi instance {s.Name} (pid: {s.Pid})"));
        fx.Add(new StartTimer(policy.StopTolerance, gen));
        return s with { Cursed = true, TimerGeneration = gen, Reason = "link closed" };
    }
}
