using System.Text.Json;

namespace Emperor.Testing;

/// <summary>One member of the stats document's <c>blacklist</c> array.</summary>
public sealed record BlacklistStat(string Id, long ThrottleLevel, int Attempt, string Reason)
{
    public static BlacklistStat Parse(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.GetProperty("throttle_level").GetInt64(),
        e.GetProperty("attempt").GetInt32(),
        e.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "" : "");
}
