namespace Emperor.Core.Vassals;

/// <summary>Where a vassal is in its life. The record lives as long as its source does.</summary>
internal enum VassalPhase
{
    /// <summary>Known, no process yet and nothing scheduled (the shell spawns it next).</summary>
    New,

    /// <summary>A process is running.</summary>
    Running,

    /// <summary>No process; a respawn is scheduled (blacklist or throttle delay).</summary>
    Waiting,

    /// <summary>The process is being stopped so that a fresh one can start (reload of a vassal that does not speak the protocol, owner change).</summary>
    Restarting,

    /// <summary>The process is being stopped for good (source removed or shutdown); the record goes when it dies.</summary>
    Stopping,

    /// <summary>The process exited with the exile code 26: not respawned until its config changes.</summary>
    Exiled,

    /// <summary>Stopped by an operator (<c>emperor stop NAME</c>): not respawned until <c>emperor start NAME</c>.</summary>
    Held,

    /// <summary>
    /// On demand: no process; the Emperor holds the vassal's on-demand socket and starts it at the first connection
    /// (spec §13.2). A config change only records the change.
    /// </summary>
    Sleeping,

    /// <summary>The record is gone.</summary>
    Deleted,
}
