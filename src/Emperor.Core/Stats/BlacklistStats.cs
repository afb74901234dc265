using System.Text.Json.Serialization;

namespace Emperor.Core.Stats;

/// <summary>One blacklist entry in the stats document.</summary>
internal sealed record BlacklistStats
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("throttle_level")] public required long ThrottleLevel { get; init; }
    [JsonPropertyName("attempt")] public required int Attempt { get; init; }
    [JsonPropertyName("first_attempt")] public required long FirstAttempt { get; init; }
    [JsonPropertyName("last_attempt")] public required long LastAttempt { get; init; }

    // Ours.
    [JsonPropertyName("reason")] public required string Reason { get; init; }
}
