using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Sources: scan a monitor, let the <see cref="SourceReconciler"/> decide, act on its decisions.</summary>
internal sealed partial class EmperorService
{
    private void RescanAll()
    {
        for (var i = 0; i < _monitors.Count; i++)
        {
            Rescan(i);
        }
    }

    private void Rescan(int index)
    {
        if (_ragnarok)
        {
            return;
        }

        var scanned = _monitors[index].Scan();
        _scans++;
        if (scanned is not { } current)
        {
            return; // the source is unavailable: keep every vassal as it is
        }

        var outcome = _sources.Reconcile(index, current);
        foreach (var d in outcome.Decisions)
        {
            Act(index, d);
        }

        if (outcome.ConfirmAgainAfter is { } after && !_rescanScheduled[index])
        {
            _rescanScheduled[index] = true;
            OneShot(after, new EmperorEvent.RescanDue(index));
        }
    }

    private void Act(int monitor, SourceDecision d)
    {
        var name = d.Entry.Name;
        if (d.Kind == SourceDecisionKind.Refused)
        {
            LogTyrantRefused(_logger, name, d.Entry.Uid, d.Entry.Gid);
            return;
        }

        if (d.Kind == SourceDecisionKind.Start)
        {
            var (state, effects) = VassalStateMachine.Start(name);
            var created = new VassalRecord(name, monitor, d.Entry, state) { FirstRun = _time.GetUtcNow().ToUnixTimeSeconds() };
            _records[name] = created;
            Execute(created, 0, effects);
            return;
        }

        if (!_records.TryGetValue(name, out var record))
        {
            return;
        }

        var old = record.Entry;
        record.Entry = d.Entry;
        switch (d.Kind)
        {
            case SourceDecisionKind.Reload:
                Reload(record, d.Reason);
                break;
            case SourceDecisionKind.OwnerChanged:
                LogOwnerChanged(_logger, name, d.Entry.Uid, d.Entry.Gid);
                Apply(record, new VassalEvent.OwnerChanged());
                break;
            case SourceDecisionKind.Stop:
                if (old.Uid != d.Entry.Uid || old.Gid != d.Entry.Gid)
                {
                    LogOwnerChanged(_logger, name, d.Entry.Uid, d.Entry.Gid);
                }

                Apply(record, new VassalEvent.Removed(d.Reason));
                break;
        }
    }
}
