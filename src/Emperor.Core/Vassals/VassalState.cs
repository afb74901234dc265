namespace Emperor.Core.Vassals;

/// <summary>Everything the Emperor decides with about one vassal. Immutable: transitions make a new one.</summary>
internal sealed record VassalState
{
    public required string Name { get; init; }

    public VassalPhase Phase { get; init; } = VassalPhase.New;

    /// <summary>The running process, or 0.</summary>
    public int Pid { get; init; }

    /// <summary>It has sent at least one byte on its link (real uWSGI, our client library): reload by byte 1, stop by byte 0/2.</summary>
    public bool SpeaksProtocol { get; init; }

    public bool Ready { get; init; }

    public bool Accepting { get; init; }

    public bool Loyal { get; init; }

    /// <summary>The link reached EOF while the process still runs (spec §3.5 "curse").</summary>
    public bool Cursed { get; init; }

    /// <summary>A reload byte was sent and not yet known to be consumed.</summary>
    public bool ReloadPending { get; init; }

    /// <summary>The current heartbeat deadline's generation (0 = never armed).</summary>
    public int HeartbeatGeneration { get; init; }

    /// <summary>A heartbeat deadline passed and the vassal was asked to reload; the next one kills it.</summary>
    public bool HeartbeatSuspect { get; init; }

    /// <summary>Only a timer carrying this generation is current; older ones are ignored.</summary>
    public int TimerGeneration { get; init; }

    /// <summary>In-place reloads (byte 1), as uWSGI's <c>respawns</c>.</summary>
    public int Respawns { get; init; }

    /// <summary>Processes started after the first (crash respawns and restarts).</summary>
    public int Restarts { get; init; }

    /// <summary>Processes started in all.</summary>
    public int Spawns { get; init; }

    public VassalExit? LastExit { get; init; }

    /// <summary>The reason of the latest decision, for logs and stats.</summary>
    public string? Reason { get; init; }

    /// <summary>When Stopping: keep the record as <see cref="VassalPhase.Held"/> instead of deleting it.</summary>
    public bool HoldAfterStop { get; init; }

    /// <summary>When Waiting: how long the scheduled respawn waits.</summary>
    public TimeSpan WaitDelay { get; init; }
}
