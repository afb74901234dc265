using Emperor.Core;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Lifecycle: feed the pure state machine, then carry out the effects it returns.</summary>
internal sealed partial class EmperorService
{
    private void Apply(VassalRecord record, VassalEvent e)
    {
        if (e is VassalEvent.Removed or VassalEvent.OperatorStop && (record.Overlap is not null || record.Retiring.Count > 0))
        {
            DropSideInstances(record);
        }

        var before = record.State;
        var (state, effects) = VassalStateMachine.Apply(before, e, _policy, _blacklist);
        record.State = state;
        Count(before, state, e);
        Stamp(record, before, state, e);
        Execute(record, state.Pid != 0 ? state.Pid : before.Pid, effects);
        if (record.Announces.Count > 0 && _records.ContainsKey(record.Name))
        {
            SyncAnnounce(record);
        }
    }

    /// <param name="record">The vassal.</param>
    /// <param name="pid">The process the decisions are about (log fields).</param>
    /// <param name="effects">What the state machine decided.</param>
    private void Execute(VassalRecord record, int pid, List<VassalEffect> effects)
    {
        // Outcomes found while running effects are applied after the whole batch, so that a later effect of
        // the same batch (a timer) cannot undo what the outcome decides.
        List<VassalEvent>? followUps = null;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case VassalEffect.Spawn:
                    _spawns.Request(record);
                    break;
                case VassalEffect.StartHeartbeatTimer hb:
                    record.HeartbeatTimer?.Dispose();
                    var hbName = record.Name;
                    var hbGen = hb.Generation;
                    record.HeartbeatTimer = _time.CreateTimer(_ => Post(new EmperorEvent.HeartbeatDeadline(hbName, hbGen)), null, hb.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.StartLoyaltyTimer lt:
                    record.LoyaltyTimer?.Dispose();
                    var lName = record.Name;
                    var lSpawn = lt.SpawnNumber;
                    record.LoyaltyTimer = _time.CreateTimer(_ => Post(new EmperorEvent.LoyaltyDue(lName, lSpawn)), null, lt.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.SendMessage m:
                    record.Process?.Link.TrySend(m.Message);
                    break;
                case VassalEffect.SignalGroup { Signal: Signals.Sigkill }:
                    _termination.Kill(record, "its stop escalated");
                    KillCgroup(record, "its stop escalated");
                    break;
                case VassalEffect.SignalGroup g:
                    // The vassal file's stop-signal replaces SIGTERM as the graceful stop (nginx: QUIT).
                    if (Termination.Ask(record, g.Signal == Signals.Sigterm ? record.Supervision.StopSignal : g.Signal) == Termination.Answer.Ignored)
                    {
                        (followUps ??= []).Add(new VassalEvent.SigtermIgnored());
                    }

                    break;
                case VassalEffect.StartTimer t:
                    record.Timer?.Dispose();
                    var name = record.Name;
                    var gen = t.Generation;
                    record.Timer = _time.CreateTimer(_ => Post(new EmperorEvent.VassalTimer(name, gen)), null, t.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.VerifyReloadConsumed:
                    var unread = record.Process?.Link.UnreadByPeer() ?? 0;
                    (followUps ??= []).Add(unread > 0 ? new VassalEvent.ReloadIgnored() : new VassalEvent.ReloadAcknowledged());
                    break;
                case VassalEffect.Delete:
                    Delete(record);
                    break;
                case VassalEffect.Log l:
                    LogDecision(record, pid, l);
                    break;
            }
        }

        if (followUps is not null && _records.ContainsKey(record.Name))
        {
            foreach (var e in followUps)
            {
                Apply(record, e);
            }
        }
    }

    private void Delete(VassalRecord record)
    {
        record.Timer?.Dispose();
        record.Timer = null;
        record.HeartbeatTimer?.Dispose();
        record.LoyaltyTimer?.Dispose();
        if (record.Process is { } p)
        {
            _byPid.Remove(p.Pid);
            p.Dispose();
            record.Process = null;
        }

        _records.Remove(record.Name);
        Withdraw(record);
        _held?.Release(record.Name);
        DropSideInstances(record);
        ReleaseCgroup(record);
        ReleaseOnDemand(record);
        _sources.Forget(record.Name);
        _blacklist.Drop(record.Name);
        _logs?.Forget(record.Name);
        ForgetLogBudget(record.Name);
    }
}
