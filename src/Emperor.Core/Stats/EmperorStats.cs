using System.Text.Json.Serialization;

namespace Emperor.Core.Stats;

/// <summary>
/// The stats document (spec §8): every member uWSGI 2.0 has, with the same names and JSON types, in the
/// same order, followed by ours. Strings are escaped properly (uWSGI does not escape them).
/// </summary>
internal sealed record EmperorStats
{
    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("pid")] public required int Pid { get; init; }
    [JsonPropertyName("uid")] public required int Uid { get; init; }
    [JsonPropertyName("gid")] public required int Gid { get; init; }
    [JsonPropertyName("cwd")] public required string Cwd { get; init; }
    [JsonPropertyName("emperor")] public required IReadOnlyList<string> Emperor { get; init; }
    [JsonPropertyName("emperor_tyrant")] public required int EmperorTyrant { get; init; }
    [JsonPropertyName("throttle_level")] public required long ThrottleLevel { get; init; }
    [JsonPropertyName("vassals")] public required IReadOnlyList<VassalStats> Vassals { get; init; }
    [JsonPropertyName("blacklist")] public required IReadOnlyList<BlacklistStats> Blacklist { get; init; }

    // Ours.
    [JsonPropertyName("uptime")] public required long Uptime { get; init; }
    [JsonPropertyName("throttle_queue")] public required IReadOnlyList<string> ThrottleQueue { get; init; }
    [JsonPropertyName("ragnarok")] public required bool Ragnarok { get; init; }

    /// <summary>Source scans completed since start (every monitor, every cause): tests wait on it instead of sleeping.</summary>
    [JsonPropertyName("scans")] public long Scans { get; init; }
}
