using System.Text.Json.Serialization;

namespace Emperor.Core.Stats;

/// <summary>
/// One subscription the Emperor announces for a vassal (its file's <c>subscribe-to</c>/<c>subscribe2</c>): the key
/// (a hostname, optionally with a path prefix), the subscription server it is announced to, and whether it is
/// announced now ("announced", "sleeping" for an on-demand vassal that is announced while it sleeps, or "" when the
/// vassal is not ready and nothing is announced).
/// </summary>
internal sealed record SubscriptionStats
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("server")] public required string Server { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }

    /// <summary>Unix time of the last announce datagram sent, 0 when none yet.</summary>
    [JsonPropertyName("last_announce")] public required long LastAnnounce { get; init; }

    /// <summary>The node address announced (the vassal's socket) and the protocol the router speaks to it.</summary>
    [JsonPropertyName("address")] public required string Address { get; init; }
    [JsonPropertyName("proto")] public required string Proto { get; init; }
}
