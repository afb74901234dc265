namespace Emperor.Core.Vassals;

/// <summary>Something that happened to one vassal. The shell turns OS facts into these.</summary>
internal abstract record VassalEvent
{
    /// <summary>The source's content changed (or SIGHUP asked for a reload of everything).</summary>
    public sealed record ConfigChanged(string Why) : VassalEvent;

    /// <summary>The source's owner changed (tyrant mode): restart under the new owner.</summary>
    public sealed record OwnerChanged : VassalEvent;

    /// <summary>The source is gone, or the Emperor is shutting down.</summary>
    public sealed record Removed(string Why) : VassalEvent;

    /// <summary>The shell started a process.</summary>
    public sealed record Spawned(int Pid) : VassalEvent;

    /// <summary>The shell could not start a process.</summary>
    public sealed record SpawnFailed(string Reason) : VassalEvent;

    /// <summary>The process ended.</summary>
    public sealed record Exited(int Pid, VassalExit Exit) : VassalEvent;

    /// <summary>A byte arrived on the link.</summary>
    public sealed record LinkMessage(byte Message) : VassalEvent;

    /// <summary>The link reached EOF or failed.</summary>
    public sealed record LinkClosed : VassalEvent;

    /// <summary>A timer set by an earlier effect fired.</summary>
    public sealed record TimerFired(int Generation) : VassalEvent;

    /// <summary>The blacklist was cleared (SIGURG): a waiting vassal may start now.</summary>
    public sealed record Pardoned : VassalEvent;

    /// <summary>The shell found that a reload byte was never read: the vassal does not speak the protocol.</summary>
    public sealed record ReloadIgnored : VassalEvent;

    /// <summary>An operator asked to stop the vassal but keep its record (<c>emperor stop NAME</c>).</summary>
    public sealed record OperatorStop : VassalEvent;

    /// <summary>An operator asked to start a held, waiting or exiled vassal now (<c>emperor start NAME</c>).</summary>
    public sealed record OperatorStart : VassalEvent;

    /// <summary>The shell found that the process ignores the SIGTERM it was just sent (SIG_IGN inherited through exec).</summary>
    public sealed record SigtermIgnored : VassalEvent;

    /// <summary>A heartbeat: byte 26 on the link or sd_notify WATCHDOG=1.</summary>
    public sealed record Heartbeat : VassalEvent;

    /// <summary>sd_notify READY=1: ready, and loyal.</summary>
    public sealed record NotifyReady : VassalEvent;

    /// <summary>sd_notify RELOADING=1 or STOPPING=1: not ready for now.</summary>
    public sealed record NotifyNotReady : VassalEvent;

    /// <summary>The heartbeat deadline armed with this generation passed.</summary>
    public sealed record HeartbeatMissed(int Generation) : VassalEvent;

    /// <summary>The process started as spawn number <paramref name="Spawn"/> has run for the loyalty period.</summary>
    public sealed record LoyaltyPeriodElapsed(int Spawn) : VassalEvent;

    /// <summary>The shell found the reload byte read: the vassal handles reloads itself.</summary>
    public sealed record ReloadAcknowledged : VassalEvent;

    /// <summary>The shell refused to start the vassal's config as it is (binary, not UTF-8): wait for a change.</summary>
    public sealed record ConfigRefused(string Path, string Reason) : VassalEvent;

    /// <summary>The on-demand socket is bound and watched: the vassal sleeps until its first connection.</summary>
    public sealed record OnDemandArmed(string Address) : VassalEvent;

    /// <summary>A connection is waiting on the on-demand socket of a sleeping vassal.</summary>
    public sealed record Woken : VassalEvent;
}
