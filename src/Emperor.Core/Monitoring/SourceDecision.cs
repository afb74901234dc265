namespace Emperor.Core.Monitoring;

internal enum SourceDecisionKind
{
    /// <summary>A new source: create a vassal and start it.</summary>
    Start,

    /// <summary>The config changed: reload.</summary>
    Reload,

    /// <summary>Tyrant mode: the file has a new (non-root) owner; restart as that owner.</summary>
    OwnerChanged,

    /// <summary>The source is gone (confirmed), or may no longer run: stop and forget the vassal.</summary>
    Stop,

    /// <summary>Tyrant mode refuses a root-owned file (reported once per appearance).</summary>
    Refused,
}

/// <summary>What one scan means for one vassal name.</summary>
internal readonly record struct SourceDecision(SourceDecisionKind Kind, SourceEntry Entry, string Reason);
