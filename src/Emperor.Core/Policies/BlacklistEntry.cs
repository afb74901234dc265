namespace Emperor.Core.Policies;

/// <summary>One vassal's standing in the blacklist (spec §4.1; stats <c>blacklist</c> objects).</summary>
/// <param name="Name">Vassal name.</param>
/// <param name="Attempts">Deaths before loyalty counted so far.</param>
/// <param name="Level">The delay the next spawn waits.</param>
/// <param name="FirstAttempt">Timestamp (TimeProvider) of the first counted death.</param>
/// <param name="LastAttempt">Timestamp (TimeProvider) of the latest counted death.</param>
internal sealed record BlacklistEntry(string Name, int Attempts, TimeSpan Level, long FirstAttempt, long LastAttempt);
