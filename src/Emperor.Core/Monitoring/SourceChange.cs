namespace Emperor.Core.Monitoring;

internal enum SourceChangeKind
{
    Added,
    Changed,
    OwnerChanged,
    Removed,
}

/// <summary>One difference between two scans of a monitor.</summary>
internal readonly record struct SourceChange(SourceChangeKind Kind, SourceEntry Entry);
