using Emperor.Core;
using Emperor.Core.Control;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Operator commands from the command socket (<c>emperor reload|stop|start|pardon|rescan</c>).</summary>
internal sealed partial class EmperorService
{
    private string OnCommand(ControlCommand command)
    {
        VassalRecord? record = null;
        if (command.Name is { } name && !_records.TryGetValue(name, out record))
        {
            return $"error no vassal named \"{name}\"";
        }

        if (_ragnarok)
        {
            return "error the Emperor is shutting down";
        }

        switch (command.Verb)
        {
            case ControlVerb.Reload:
                Reload(record!, "requested by an operator");
                return $"ok reloading {record!.Name}";
            case ControlVerb.ReloadAll:
                var n = _records.Count;
                OnSignal(Signals.Sighup);
                return $"ok reloading {n} vassals";
            case ControlVerb.Stop:
                if (record!.State.Phase is VassalPhase.Held or VassalPhase.Stopping)
                {
                    return $"ok {record.Name} is already stopped or stopping";
                }

                Apply(record, new VassalEvent.OperatorStop());
                return $"ok stopping {record.Name}";
            case ControlVerb.Start:
                if (record!.State.Phase is not (VassalPhase.Held or VassalPhase.Waiting or VassalPhase.Exiled))
                {
                    return $"error {record.Name} is {PhaseName(record.State.Phase)}, not stopped";
                }

                Apply(record, new VassalEvent.OperatorStart());
                return $"ok starting {record.Name}";
            case ControlVerb.Pardon:
                var entries = _blacklist.Entries.Count();
                OnSignal(Signals.Sigurg);
                return $"ok blacklist cleared ({entries} entries)";
            default:
                RescanAll();
                return "ok rescanned";
        }
    }
}
