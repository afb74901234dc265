using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>The Emperor's mutable bookkeeping for one vassal. Touched only by the event-loop thread.</summary>
internal sealed class VassalRecord(string name, int monitor, SourceEntry entry, VassalState state)
{
    public string Name { get; } = name;

    public int Monitor { get; } = monitor;

    public SourceEntry Entry { get; set; } = entry;

    public VassalState State { get; set; } = state;

    public IVassalProcess? Process { get; set; }

    public ITimer? Timer { get; set; }

    public ITimer? HeartbeatTimer { get; set; }

    public ITimer? LoyaltyTimer { get; set; }

    /// <summary>True while the record sits in the spawn throttle's queue.</summary>
    public bool SpawnQueued { get; set; }

    /// <summary>When the source was first seen missing; removal waits for a confirming scan.</summary>
    public long? MissingSince { get; set; }

    public long BornNs { get; } = entry.ModifiedNs;

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Unix seconds of the stats timestamps (0 = never), as uWSGI reports them.</summary>
    public long FirstRun { get; set; }

    public long LastRun { get; set; }

    public long LastReady { get; set; }

    public long LastAccepting { get; set; }

    public long LastLoyal { get; set; }

    public long LastHeartbeat { get; set; }

    public long CursedAt { get; set; }

    /// <summary>When a Waiting vassal will be spawned (unix seconds, fractional).</summary>
    public double? NextSpawnAt { get; set; }

    /// <summary>The latest sd_notify STATUS= text.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>On demand: whether the socket name was looked for yet (once per record, as uWSGI does).</summary>
    public bool OnDemandLookedUp { get; set; }

    /// <summary>The on-demand socket address, or null when the vassal runs normally.</summary>
    public string? OnDemandAddress { get; set; }

    public IHeldSocket? OnDemandSocket { get; set; }

    public IDisposable? OnDemandWatch { get; set; }

    /// <summary>A connection woke the vassal: the next spawn launches it (with the socket) instead of waiting.</summary>
    public bool OnDemandWoken { get; set; }

    /// <summary>What the vassal's own file says about its supervision (reload mode, ready check, stop signal).</summary>
    public Core.VassalRole.Supervision Supervision { get; set; } = Core.VassalRole.Supervision.Default;

    /// <summary>The new instance of an overlapping reload, until it is ready (then it becomes <see cref="Process"/>).</summary>
    public OverlapReload? Overlap { get; set; }

    /// <summary>Old instances being stopped after an overlapping reload swapped them out.</summary>
    public List<RetiringInstance> Retiring { get; } = [];

    /// <summary>A reload asked for while an old instance is still being stopped: started when it is gone.</summary>
    public string? OverlapPending { get; set; }

    /// <summary>The vassal's own cgroup (<c>--emperor-cgroup</c>), from its first spawn until it goes away.</summary>
    public Core.Cgroups.VassalCgroup? Cgroup { get; set; }

    /// <summary>Why the last overlapping reload failed (stats), or null.</summary>
    public string? ReloadFailure { get; set; }

    /// <summary>The subscriptions the Emperor announces for this vassal (empty: none).</summary>
    public IReadOnlyList<Announce> Announces { get; set; } = [];

    /// <summary>Seconds between re-announces (the file's <c>subscribe-freq</c>).</summary>
    public TimeSpan AnnounceEvery { get; set; } = Core.Subscriptions.VassalSubscriptions.DefaultFrequency;

    /// <summary>Whether the subscriptions are announced now (then re-announced every <see cref="AnnounceEvery"/>).</summary>
    public bool Announced { get; set; }

    /// <summary>What was last said about subscriptions that are not announced (said again only when it changes).</summary>
    public string? SubscriptionComplaint { get; set; }

    /// <summary>How long after <see cref="AnnouncedAt"/> the next re-announce is due (1 s doubling up to <see cref="AnnounceEvery"/>).</summary>
    public TimeSpan AnnounceNext { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The loop timestamp of the last announce.</summary>
    public long AnnouncedAt { get; set; }
}
