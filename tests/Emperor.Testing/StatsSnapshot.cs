using System.Text.Json;

namespace Emperor.Testing;

/// <summary>One stats document (<c>--emperor-stats</c>), parsed, with how long the request took.</summary>
/// <remarks><see cref="Scans"/>: source scans the Emperor has completed (every monitor, every cause).</remarks>
public sealed record StatsSnapshot(
    int Pid,
    IReadOnlyList<string> Sources,
    long Scans,
    long ThrottleLevel,
    IReadOnlyList<string> ThrottleQueue,
    IReadOnlyList<VassalStat> Vassals,
    IReadOnlyList<BlacklistStat> Blacklist,
    TimeSpan Latency,
    string Json)
{
    public static StatsSnapshot Parse(string json, TimeSpan latency)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new StatsSnapshot(
            root.GetProperty("pid").GetInt32(),
            [.. root.GetProperty("emperor").EnumerateArray().Select(e => e.GetString()!)],
            root.GetProperty("scans").GetInt64(),
            root.GetProperty("throttle_level").GetInt64(),
            root.TryGetProperty("throttle_queue", out var queue) ? [.. queue.EnumerateArray().Select(e => e.GetString()!)] : [],
            [.. root.GetProperty("vassals").EnumerateArray().Select(VassalStat.Parse)],
            [.. root.GetProperty("blacklist").EnumerateArray().Select(BlacklistStat.Parse)],
            latency,
            json);
    }

    /// <summary>The vassal with this id, or null.</summary>
    public VassalStat? Vassal(string id) => Vassals.FirstOrDefault(v => v.Id == id);

    /// <summary>The blacklist entry for this id, or null.</summary>
    public BlacklistStat? BlacklistEntry(string id) => Blacklist.FirstOrDefault(b => b.Id == id);

    /// <summary>
    /// A member of a vassal's stats entry as text (strings as they are, anything else as its JSON), or null when the
    /// vassal or the member is absent.
    /// </summary>
    public string? Raw(string id, string member)
    {
        using var document = JsonDocument.Parse(Json);
        foreach (var v in document.RootElement.GetProperty("vassals").EnumerateArray())
        {
            if (v.GetProperty("id").GetString() == id && v.TryGetProperty(member, out var value))
            {
                return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }
        }

        return null;
    }

    /// <summary>The pid of a running vassal, or null (absent, waiting, exiled, stopping).</summary>
    public int? RunningPid(string id) => Vassal(id) is { IsRunning: true } v ? v.Pid : null;
}
