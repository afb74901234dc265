using System.Text.Json.Serialization;

namespace Emperor.Core.Stats;

/// <summary>One vassal in the stats document (uWSGI's members, then ours).</summary>
internal sealed record VassalStats
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("pid")] public required int Pid { get; init; }
    [JsonPropertyName("born")] public required long Born { get; init; }
    [JsonPropertyName("last_mod")] public required long LastMod { get; init; }
    [JsonPropertyName("last_heartbeat")] public required long LastHeartbeat { get; init; }
    [JsonPropertyName("loyal")] public required long Loyal { get; init; }
    [JsonPropertyName("ready")] public required long Ready { get; init; }
    [JsonPropertyName("accepting")] public required long Accepting { get; init; }
    [JsonPropertyName("last_loyal")] public required long LastLoyal { get; init; }
    [JsonPropertyName("last_ready")] public required long LastReady { get; init; }
    [JsonPropertyName("last_accepting")] public required long LastAccepting { get; init; }
    [JsonPropertyName("first_run")] public required long FirstRun { get; init; }
    [JsonPropertyName("last_run")] public required long LastRun { get; init; }
    [JsonPropertyName("cursed")] public required long Cursed { get; init; }
    [JsonPropertyName("zerg")] public required long Zerg { get; init; }
    [JsonPropertyName("on_demand")] public required string OnDemand { get; init; }
    [JsonPropertyName("uid")] public required long Uid { get; init; }
    [JsonPropertyName("gid")] public required long Gid { get; init; }
    [JsonPropertyName("monitor")] public required string Monitor { get; init; }
    [JsonPropertyName("respawns")] public required long Respawns { get; init; }

    // Ours.
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }
    [JsonPropertyName("restarts")] public required int Restarts { get; init; }
    [JsonPropertyName("speaks_protocol")] public required bool SpeaksProtocol { get; init; }
    [JsonPropertyName("last_exit_code")] public required int? LastExitCode { get; init; }
    [JsonPropertyName("last_exit_signal")] public required int? LastExitSignal { get; init; }
    [JsonPropertyName("next_spawn")] public required double? NextSpawn { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("uptime")] public required long Uptime { get; init; }
    [JsonPropertyName("reload_mode")] public string ReloadMode { get; init; } = "restart";

    /// <summary>"" or the phase of an overlapping reload: "starting" (new instance not ready yet), "stopping old".</summary>
    [JsonPropertyName("reload_phase")] public string ReloadPhase { get; init; } = string.Empty;
    [JsonPropertyName("new_pid")] public int NewPid { get; init; }
    [JsonPropertyName("old_pids")] public IReadOnlyList<int> OldPids { get; init; } = [];

    /// <summary>"reload failed: REASON" after an overlapping reload failed (the old instance kept serving), else "".</summary>
    [JsonPropertyName("reload_failed")] public string ReloadFailed { get; init; } = string.Empty;
    [JsonPropertyName("sockets")] public IReadOnlyList<string> Sockets { get; init; } = [];

    /// <summary>The subscriptions the Emperor announces for this vassal to routers (empty when it announces none).</summary>
    [JsonPropertyName("subscriptions")] public IReadOnlyList<SubscriptionStats> Subscriptions { get; init; } = [];

    /// <summary>The vassal's own cgroup (<c>--emperor-cgroup</c>), or null (then none of the cgroup keys is written).</summary>
    [JsonPropertyName("cgroup")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Cgroup { get; init; }

    /// <summary>Bytes its cgroup is charged now (v2 memory.current, v1 memory.usage_in_bytes).</summary>
    [JsonPropertyName("memory_current")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? MemoryCurrent { get; init; }

    /// <summary>The most bytes its cgroup was ever charged (v2 memory.peak, v1 memory.max_usage_in_bytes).</summary>
    [JsonPropertyName("memory_peak")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? MemoryPeak { get; init; }

    /// <summary>CPU time of every process its cgroup ever held, in microseconds.</summary>
    [JsonPropertyName("cpu_usage_usec")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? CpuUsageUsec { get; init; }

    /// <summary>Processes of the vassal the kernel's OOM killer killed (its cgroup's oom_kill count).</summary>
    [JsonPropertyName("oom_kills")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? OomKills { get; init; }

    /// <summary>Tasks in its cgroup now (pids.current).</summary>
    [JsonPropertyName("pids_current")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? PidsCurrent { get; init; }

    /// <summary>The cgroup to read the numbers above from, off the loop (not part of the document).</summary>
    [JsonIgnore] public Cgroups.VassalCgroup? CgroupHandle { get; init; }
}
