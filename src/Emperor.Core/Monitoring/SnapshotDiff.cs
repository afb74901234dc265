namespace Emperor.Core.Monitoring;

/// <summary>
/// Compares two scans of one monitor. uWSGI compares <c>mtime &gt; last_mod</c> in whole seconds, so two
/// edits in one second are one change; we compare the full-resolution mtime (and the inline config text) for
/// inequality, so every edit counts and a clock step backwards is still a change. An owner change is reported
/// apart from a content change because tyrant mode restarts the vassal under the new owner (spec §9).
/// </summary>
internal static class SnapshotDiff
{
    public static List<SourceChange> Compute(
        IReadOnlyDictionary<string, SourceEntry> previous,
        IReadOnlyDictionary<string, SourceEntry> current)
    {
        var changes = new List<SourceChange>();
        foreach (var (name, entry) in current)
        {
            if (!previous.TryGetValue(name, out var old))
            {
                changes.Add(new SourceChange(SourceChangeKind.Added, entry));
            }
            else if (old.Uid != entry.Uid || old.Gid != entry.Gid)
            {
                changes.Add(new SourceChange(SourceChangeKind.OwnerChanged, entry));
            }
            else if (old.ModifiedNs != entry.ModifiedNs
                || !string.Equals(old.InlineConfig, entry.InlineConfig, StringComparison.Ordinal))
            {
                changes.Add(new SourceChange(SourceChangeKind.Changed, entry));
            }
        }

        foreach (var (name, old) in previous)
        {
            if (!current.ContainsKey(name))
            {
                changes.Add(new SourceChange(SourceChangeKind.Removed, old));
            }
        }

        return changes;
    }
}
