namespace Emperor.Core.Monitoring;

/// <summary>The decisions of one scan, and when to scan again to confirm a removal (null: no need).</summary>
internal sealed record ScanOutcome(IReadOnlyList<SourceDecision> Decisions, TimeSpan? ConfirmAgainAfter);
