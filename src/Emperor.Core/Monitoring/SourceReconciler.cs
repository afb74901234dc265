namespace Emperor.Core.Monitoring;

/// <summary>
/// Turns scans of the imperial monitors into decisions (start, reload, owner change, stop, refuse), on
/// <see cref="SnapshotDiff"/>. Pure: it keeps what each monitor last produced and answers per scan; the Emperor
/// executes the decisions.
/// </summary>
/// <remarks>
/// What must hold:
/// <list type="bullet">
/// <item>Names are global: the first monitor that produced a name owns it while its vassal lives (spec §2.1).</item>
/// <item>A name that vanished must stay vanished for <see cref="RemovalConfirm"/>: a save-by-rename is a change,
/// not a stop and a spawn. The scan answers <see cref="ScanOutcome.ConfirmAgainAfter"/> so the Emperor scans
/// again then.</item>
/// <item>Tyrant mode (<see cref="Policies.TyrantGate"/>): a root-owned file never runs and is reported once until it
/// goes away; a file that becomes root-owned stops its vassal.</item>
/// <item>A vassal is known until the Emperor says it is gone (<see cref="Forget"/>, after its process has ended), so a
/// file that comes back while its vassal is stopping is a change of that vassal, as before.</item>
/// </list>
/// </remarks>
internal sealed class SourceReconciler(TimeProvider time, Policies.TyrantGate gate)
{
    /// <summary>How long a vanished source must stay vanished before its vassal is stopped.</summary>
    public static readonly TimeSpan RemovalConfirm = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, Known> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);

    /// <summary>Names with a vassal, and the monitor that owns each.</summary>
    public int Count => _known.Count;

    /// <summary>The monitor that owns <paramref name="name"/>, or -1.</summary>
    public int OwnerOf(string name) => _known.TryGetValue(name, out var k) ? k.Monitor : -1;

    /// <summary>
    /// One scan of monitor <paramref name="monitor"/> (<paramref name="current"/>: name → entry). Decisions come in
    /// the scan's order, then the stops.
    /// </summary>
    public ScanOutcome Reconcile(int monitor, IReadOnlyDictionary<string, SourceEntry> current)
    {
        var decisions = new List<SourceDecision>();
        var now = time.GetTimestamp();
        var previous = new Dictionary<string, SourceEntry>(StringComparer.Ordinal);
        foreach (var (name, k) in _known)
        {
            if (k.Monitor == monitor)
            {
                previous[name] = k.Entry;
            }
        }

        foreach (var change in SnapshotDiff.Compute(previous, current))
        {
            var entry = change.Entry;
            switch (change.Kind)
            {
                case SourceChangeKind.Added when _known.ContainsKey(entry.Name):
                    break; // another monitor owns the name
                case SourceChangeKind.Added when !gate.Admits(entry):
                    if (_refused.Add(entry.Name))
                    {
                        decisions.Add(new SourceDecision(SourceDecisionKind.Refused, entry, "tyrant mode never runs a vassal as root"));
                    }

                    break;
                case SourceChangeKind.Added:
                    _refused.Remove(entry.Name);
                    _known[entry.Name] = new Known(monitor, entry);
                    decisions.Add(new SourceDecision(SourceDecisionKind.Start, entry, "new config"));
                    break;
                case SourceChangeKind.OwnerChanged when gate.Enabled:
                    var known = _known[entry.Name];
                    known.Entry = entry;
                    if (!gate.Admits(entry))
                    {
                        decisions.Add(new SourceDecision(SourceDecisionKind.Stop, entry, "its config is now owned by root (tyrant mode)"));
                        known.StopDecided = true;
                        if (_refused.Add(entry.Name))
                        {
                            decisions.Add(new SourceDecision(SourceDecisionKind.Refused, entry, "tyrant mode never runs a vassal as root"));
                        }
                    }
                    else
                    {
                        decisions.Add(new SourceDecision(SourceDecisionKind.OwnerChanged, entry, "owner changed"));
                    }

                    break;
                case SourceChangeKind.OwnerChanged or SourceChangeKind.Changed:
                    var was = _known[entry.Name];
                    var contentChanged = was.Entry.ModifiedNs != entry.ModifiedNs
                        || !string.Equals(was.Entry.InlineConfig, entry.InlineConfig, StringComparison.Ordinal);
                    was.Entry = entry;
                    if (contentChanged)
                    {
                        decisions.Add(new SourceDecision(SourceDecisionKind.Reload, entry, "config changed"));
                    }

                    break;
                case SourceChangeKind.Removed:
                    break; // below, with the confirmation
            }
        }

        TimeSpan? confirmAgain = null;
        foreach (var (name, k) in _known)
        {
            if (k.Monitor != monitor)
            {
                continue;
            }

            if (current.TryGetValue(name, out var present))
            {
                k.MissingSince = null;
                k.Entry = present;
                k.StopDecided &= !gate.Admits(present); // back again: a later disappearance stops it again
                continue;
            }

            if (k.StopDecided)
            {
                continue;
            }

            k.MissingSince ??= now;
            var missing = time.GetElapsedTime(k.MissingSince.Value, now);
            if (missing >= RemovalConfirm)
            {
                k.StopDecided = true;
                decisions.Add(new SourceDecision(SourceDecisionKind.Stop, k.Entry, "its config is gone"));
            }
            else
            {
                var left = RemovalConfirm - missing;
                confirmAgain = confirmAgain is { } c && c < left ? c : left;
            }
        }

        _refused.RemoveWhere(n => !current.ContainsKey(n) && !_known.ContainsKey(n));
        return new ScanOutcome(decisions, confirmAgain);
    }

    /// <summary>The vassal of <paramref name="name"/> is gone (its record deleted): the name is free again.</summary>
    public void Forget(string name) => _known.Remove(name);

    private sealed class Known(int monitor, SourceEntry entry)
    {
        public int Monitor { get; } = monitor;

        public SourceEntry Entry { get; set; } = entry;

        public long? MissingSince { get; set; }

        /// <summary>A stop was decided; not again until the source comes back.</summary>
        public bool StopDecided { get; set; }
    }
}
