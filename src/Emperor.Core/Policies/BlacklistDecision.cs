namespace Emperor.Core.Policies;

/// <summary>When to respawn a vassal that died, and why (shown in logs and stats).</summary>
internal readonly record struct BlacklistDecision(TimeSpan Delay, string Reason, bool Blacklisted);
