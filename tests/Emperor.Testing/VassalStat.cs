using System.Text.Json;

namespace Emperor.Testing;

/// <summary>One member of the stats document's <c>vassals</c> array (uWSGI's members and the Emperor's own).</summary>
public sealed record VassalStat(
    string Id,
    int Pid,
    long Loyal,
    long Ready,
    long Accepting,
    long Respawns,
    string Monitor,
    string State,
    string Reason,
    int Restarts,
    bool SpeaksProtocol,
    int? LastExitCode,
    int? LastExitSignal,
    string Status)
{
    public static VassalStat Parse(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.GetProperty("pid").GetInt32(),
        e.GetProperty("loyal").GetInt64(),
        e.GetProperty("ready").GetInt64(),
        e.GetProperty("accepting").GetInt64(),
        e.GetProperty("respawns").GetInt64(),
        e.GetProperty("monitor").GetString()!,
        e.GetProperty("state").GetString()!,
        e.GetProperty("reason").GetString()!,
        e.GetProperty("restarts").GetInt32(),
        e.GetProperty("speaks_protocol").GetBoolean(),
        NullableInt(e.GetProperty("last_exit_code")),
        NullableInt(e.GetProperty("last_exit_signal")),
        e.GetProperty("status").GetString()!);

    /// <summary>A live process the Emperor considers up (not waiting, exiled or being stopped).</summary>
    public bool IsRunning => Pid > 0 && State == "running";

    private static int? NullableInt(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
}
