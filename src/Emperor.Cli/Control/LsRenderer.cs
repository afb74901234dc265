using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Emperor.Cli.Control;

/// <summary>
/// <c>emperor ls</c>: one row per vassal from a stats document (ours, or a real uWSGI Emperor's — members we
/// add and it lacks show as "-").
/// </summary>
internal static class LsRenderer
{
    public static readonly string[] Columns = ["NAME", "STATE", "PID", "UPTIME", "LOYAL", "RESTARTS", "LAST EXIT", "STATUS", "KEYS", "SOURCE"];

    public static List<string[]> Rows(JsonElement stats)
    {
        var rows = new List<string[]>();
        if (!stats.TryGetProperty("vassals", out var vassals) || vassals.ValueKind != JsonValueKind.Array)
        {
            return rows;
        }

        foreach (var v in vassals.EnumerateArray())
        {
            var pid = Int(v, "pid");
            rows.Add(
            [
                Str(v, "id") ?? "?",
                State(v, pid),
                Pids(v, pid),
                Int(v, "uptime") is { } up && pid > 0 ? Duration(up) : "-",
                Int(v, "loyal") is { } loyal ? (loyal != 0 ? "yes" : "no") : "-",
                Int(v, "restarts")?.ToString(CultureInfo.InvariantCulture) ?? "-",
                LastExit(v),
                Str(v, "reload_failed") is { Length: > 0 } failed ? failed : Str(v, "status") is { Length: > 0 } status ? status : "-",
                Keys(v),
                Str(v, "monitor") ?? "-",
            ]);
        }

        return rows;
    }

    public static void Write(IAnsiConsole console, JsonElement stats)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in Columns)
        {
            table.AddColumn(new TableColumn(c).NoWrap());
        }

        foreach (var row in Rows(stats))
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
        var count = stats.TryGetProperty("vassals", out var v) && v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : 0;
        var blacklisted = stats.TryGetProperty("blacklist", out var b) && b.ValueKind == JsonValueKind.Array ? b.GetArrayLength() : 0;
        console.WriteLine($"{count} vassals, {blacklisted} blacklisted");
    }

    /// <summary>Compact human duration: 45s, 12m03s, 3h07m, 2d04h.</summary>
    public static string Duration(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        < 86400 => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
        _ => $"{seconds / 86400}d{seconds % 86400 / 3600:00}h",
    };

    /// <summary>The state, with the phase of an overlapping reload ("running (starting)") when one is under way.</summary>
    private static string State(JsonElement v, long? pid)
    {
        var state = Str(v, "state") ?? (pid > 0 ? "running" : "-");
        return Str(v, "reload_phase") is { Length: > 0 } phase ? $"{state} ({phase})" : state;
    }

    /// <summary>The serving pid, and during an overlapping reload the other instance: "1234 +1240 new", "1240 +1234 old".</summary>
    private static string Pids(JsonElement v, long? pid)
    {
        var text = pid > 0 ? pid.Value.ToString(CultureInfo.InvariantCulture) : "-";
        if (Int(v, "new_pid") is > 0 and var newPid)
        {
            text += $" +{newPid} new";
        }

        if (v.TryGetProperty("old_pids", out var old) && old.ValueKind == JsonValueKind.Array)
        {
            foreach (var o in old.EnumerateArray())
            {
                text += $" +{o.GetInt64()} old";
            }
        }

        return text;
    }

    /// <summary>The subscription keys the Emperor announces for it; "(not announced)" after those it does not announce now.</summary>
    private static string Keys(JsonElement v)
    {
        if (!v.TryGetProperty("subscriptions", out var subs) || subs.ValueKind != JsonValueKind.Array || subs.GetArrayLength() == 0)
        {
            return "-";
        }

        var keys = new List<string>();
        foreach (var s in subs.EnumerateArray())
        {
            var key = Str(s, "key") ?? "?";
            keys.Add(Str(s, "state") is { Length: > 0 } ? key : key + " (not announced)");
        }

        return string.Join(", ", keys);
    }

    private static string LastExit(JsonElement v)
    {
        if (Int(v, "last_exit_signal") is { } sig)
        {
            return $"signal {sig}";
        }

        return Int(v, "last_exit_code") is { } code ? $"code {code}" : "-";
    }

    private static string? Str(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long? Int(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : null;
}
