using Emperor.Core.Protocol;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>sd_notify: a datagram from a process in a vassal's session (<see cref="NotifyMessage"/> parses it).</summary>
internal sealed partial class EmperorService
{
    private void OnNotify(EmperorEvent.Notify n)
    {
        if (!_byPid.TryGetValue(n.SenderPid, out var record) && !_byPid.TryGetValue(n.SessionId, out record))
        {
            return; // not from a vassal of ours (or from one that is already gone)
        }

        var message = NotifyMessage.Parse(n.Message);
        if (record.Overlap is { } overlap && (overlap.Process.Pid == n.SenderPid || overlap.Process.Pid == n.SessionId))
        {
            OnSuccessorSignal(record, overlap.Process.Pid, message.Ready);
            return;
        }
        if (message.Ready)
        {
            Apply(record, new VassalEvent.NotifyReady());
        }

        if (message.NotReady)
        {
            Apply(record, new VassalEvent.NotifyNotReady());
        }

        if (message.Watchdog)
        {
            Apply(record, new VassalEvent.Heartbeat());
        }

        if (message.Status is { } status)
        {
            record.Status = status;
        }
    }
}
