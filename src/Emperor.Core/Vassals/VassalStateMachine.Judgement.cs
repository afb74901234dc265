using Emperor.Core.Policies;
using Emperor.Core.Protocol;
using static Emperor.Core.Vassals.VassalEffect;

namespace Emperor.Core.Vassals;

/// <summary>The state machine's judgement and operator events: timers, heartbeats, loyalty, SIGTERM ignored, stop/start/pardon.</summary>
internal static partial class VassalStateMachine
{
    private static VassalState OnTimer(VassalState s, int generation, VassalPolicy policy, List<VassalEffect> fx)
    {
        if (generation != s.TimerGeneration)
        {
            return s;
        }

        switch (s.Phase)
        {
            case VassalPhase.Waiting:
                fx.Add(new Spawn());
                return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1 };
            case VassalPhase.Stopping:
            case VassalPhase.Restarting:
            case VassalPhase.Running when s.Cursed:
                var gen = s.TimerGeneration + 1;
                fx.Add(new Log(VassalLogKind.Kill, $"NO MERCY for vassal {s.Name} (pid: {s.Pid}): still alive {policy.StopTolerance.TotalSeconds:0.#} s after it was asked to stop; sending SIGKILL to its process group"));
                fx.Add(new SignalGroup(Signals.Sigkill));
                fx.Add(new StartTimer(policy.StopTolerance, gen));
                return s with { TimerGeneration = gen };
            case VassalPhase.Running when s.ReloadPending:
                fx.Add(new VerifyReloadConsumed());
                return s;
            default:
                return s;
        }
    }

    private static VassalState OnHeartbeat(VassalState s, VassalPolicy policy, List<VassalEffect> fx)
    {
        if (s.Pid == 0 || s.Phase != VassalPhase.Running || policy.RequiredHeartbeat <= TimeSpan.Zero)
        {
            return s;
        }

        var gen = s.HeartbeatGeneration + 1;
        fx.Add(new StartHeartbeatTimer(policy.RequiredHeartbeat, gen));
        return s with { HeartbeatGeneration = gen, HeartbeatSuspect = false };
    }

    private static VassalState OnHeartbeatMissed(VassalState s, int generation, VassalPolicy policy, List<VassalEffect> fx)
    {
        if (generation != s.HeartbeatGeneration || s.Pid == 0 || s.Phase != VassalPhase.Running)
        {
            return s;
        }

        var seconds = policy.RequiredHeartbeat.TotalSeconds;
        if (!s.SpeaksProtocol)
        {
            // No protocol to ask with: a graceful reload of a foreign vassal is a restart (SIGTERM, then SIGKILL).
            return OnRestart(s with { HeartbeatSuspect = false }, $"sent no heartbeat in last {seconds:0.#} seconds", policy, fx);
        }

        if (!s.HeartbeatSuspect)
        {
            // Spec §6 says uWSGI SIGKILLs the master only, leaving a hung worker holding the port (REPORT.md #10).
            // We ask for a graceful reload first, and kill the whole process group if it stays silent.
            var gen = s.HeartbeatGeneration + 1;
            fx.Add(new Log(VassalLogKind.Reload, $"vassal {s.Name} sent no heartbeat in last {seconds:0.#} seconds, reloading it gracefully"));
            fx.Add(new SendMessage(EmperorMessage.Reload));

            // Half the period to show life again: a reload that cannot finish (a stopped worker) must not keep
            // the port for another whole period.
            var grace = policy.RequiredHeartbeat / 2 < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : policy.RequiredHeartbeat / 2;
            fx.Add(new StartHeartbeatTimer(grace, gen));
            return s with { HeartbeatGeneration = gen, HeartbeatSuspect = true, Reason = "hung: no heartbeat; reload requested" };
        }

        var stop = s.TimerGeneration + 1;
        fx.Add(new Log(VassalLogKind.Kill, $"vassal {s.Name} sent no heartbeat in last {seconds:0.#} seconds, brutally respawning it (SIGKILL to its process group)"));
        fx.Add(new SignalGroup(Signals.Sigkill));
        fx.Add(new StartTimer(policy.StopTolerance, stop));
        return s with { Phase = VassalPhase.Restarting, TimerGeneration = stop, HeartbeatSuspect = false, Reason = "hung: no heartbeat; killed" };
    }

    private static VassalState OnReadyNotified(VassalState s, Blacklist blacklist, List<VassalEffect> fx)
    {
        if (s.Pid == 0)
        {
            return s;
        }

        if (!s.Loyal)
        {
            fx.Add(new Log(VassalLogKind.Loyal, $"vassal {s.Name} is now loyal (sd_notify READY=1)"));
        }

        blacklist.Forgive(s.Name);
        return s with { Ready = true, Loyal = true };
    }

    private static VassalState OnLoyaltyPeriod(VassalState s, int spawn, VassalPolicy policy, Blacklist blacklist, List<VassalEffect> fx)
    {
        if (spawn != s.Spawns || s.Pid == 0 || s.Loyal || s.Phase != VassalPhase.Running)
        {
            return s;
        }

        fx.Add(new Log(VassalLogKind.Loyal, $"vassal {s.Name} is now loyal (up for {policy.LoyalAfter.TotalSeconds:0.#} s)"));
        blacklist.Forgive(s.Name);
        return s with { Loyal = true };
    }

    private static VassalState OnSigtermIgnored(VassalState s, VassalPolicy policy, List<VassalEffect> fx)
    {
        if (s.Pid == 0 || s.Phase is not (VassalPhase.Stopping or VassalPhase.Restarting) || policy.IgnoredSigtermGrace >= policy.StopTolerance)
        {
            return s;
        }

        var gen = s.TimerGeneration + 1;
        fx.Add(new Log(VassalLogKind.Kill, $"vassal {s.Name} (pid: {s.Pid}) ignores SIGTERM (SIG_IGN inherited through exec); SIGKILL in {policy.IgnoredSigtermGrace.TotalSeconds:0.#} s unless it exits"));
        fx.Add(new StartTimer(policy.IgnoredSigtermGrace, gen));
        return s with { TimerGeneration = gen };
    }

    private static VassalState OnOperatorStop(VassalState s, VassalPolicy policy, List<VassalEffect> fx)
    {
        switch (s.Phase)
        {
            case VassalPhase.Running:
            case VassalPhase.Restarting:
                var gen = s.TimerGeneration + 1;
                fx.Add(new Log(VassalLogKind.Stop, $"stop the uwsgi instance {s.Name} (pid: {s.Pid}): requested by an operator"));
                fx.Add(new SendMessage(policy.GracefulShutdown ? EmperorMessage.GracefulStop : EmperorMessage.Stop));
                if (!s.SpeaksProtocol)
                {
                    fx.Add(new SignalGroup(Signals.Sigterm));
                }

                fx.Add(new StartTimer(policy.StopTolerance, gen));
                return s with { Phase = VassalPhase.Stopping, HoldAfterStop = true, TimerGeneration = gen, Reason = "stopping: requested by an operator" };
            case VassalPhase.New:
            case VassalPhase.Waiting:
            case VassalPhase.Exiled:
            case VassalPhase.Sleeping:
                fx.Add(new Log(VassalLogKind.Stop, $"vassal {s.Name} held by an operator"));
                return s with { Phase = VassalPhase.Held, TimerGeneration = s.TimerGeneration + 1, Reason = "stopped by an operator" };
            default:
                return s;
        }
    }

    private static VassalState OnOperatorStart(VassalState s, List<VassalEffect> fx)
    {
        if (s.Phase is not (VassalPhase.Held or VassalPhase.Waiting or VassalPhase.Exiled))
        {
            return s;
        }

        fx.Add(new Log(VassalLogKind.Respawn, $"vassal {s.Name} started by an operator"));
        fx.Add(new Spawn());
        return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = "started by an operator" };
    }

    private static VassalState OnPardoned(VassalState s, List<VassalEffect> fx)
    {
        if (s.Phase != VassalPhase.Waiting)
        {
            return s;
        }

        fx.Add(new Log(VassalLogKind.Respawn, $"vassal {s.Name} pardoned (blacklist cleared); spawning it now"));
        fx.Add(new Spawn());
        return s with { Phase = VassalPhase.New, TimerGeneration = s.TimerGeneration + 1, Reason = "pardoned" };
    }
}
