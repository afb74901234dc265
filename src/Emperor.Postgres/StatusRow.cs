namespace Emperor.Postgres;

/// <summary>One vassal's state as written to the status table (<c>emperor_status</c>).</summary>
/// <param name="Name">The vassal name.</param>
/// <param name="Pid">Its pid, null while it has no process.</param>
/// <param name="State">running, waiting, restarting, stopping, exiled, held, new.</param>
/// <param name="Loyal">Whether it became loyal (spec §5).</param>
/// <param name="Restarts">Restarts since it was added.</param>
/// <param name="LastExit"><c>exit N</c> or <c>signal N</c> of its last death, null if it never died.</param>
/// <param name="Reason">Why it is in this state (the Emperor's last decision), null if none.</param>
internal sealed record StatusRow(string Name, int? Pid, string State, bool Loyal, int Restarts, string? LastExit, string? Reason);
