using System.Globalization;

namespace Emperor.Core.Cgroups;

/// <summary>
/// <c>emperor-cgroup-opt = KEY=VALUE</c> (vassal file, or <c>--emperor-cgroup-opt</c> for every vassal) as the file
/// writes to a vassal's cgroup. KEY is a cgroup file named the v2 way (<c>memory.max</c>, <c>pids.max</c>,
/// <c>cpu.max</c>, <c>cpu.weight</c>, or any other file of a controller v2 has there); where the controller is on v1
/// instead (a hybrid host), the four common ones are translated (<c>memory.max</c> to <c>memory.limit_in_bytes</c>,
/// <c>cpu.max</c> to <c>cpu.cfs_period_us</c> and <c>cpu.cfs_quota_us</c>, <c>cpu.weight</c> to
/// <c>cpu.shares</c>; <c>max</c> to -1), and any other KEY is written as named, so v1 files work too. A KEY whose
/// controller is in no hierarchy is an error, never skipped.
/// </summary>
internal static class CgroupLimits
{
    /// <summary>The writes for <paramref name="options"/> (later ones win for the same KEY), each with the option as written, or the errors.</summary>
    public static (List<(string File, string Value, string Option)> Writes, List<string> Errors) Plan(VassalCgroup cgroup, IEnumerable<KeyValuePair<string, string>> options)
    {
        var writes = new List<(string, string, string)>();
        var errors = new List<string>();
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (key, value) in options)
        {
            if (!last.ContainsKey(key))
            {
                order.Add(key);
            }

            last[key] = value;
        }

        foreach (var key in order)
        {
            var value = last[key].Trim();
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || key.Contains('/', StringComparison.Ordinal) || key.StartsWith("cgroup.", StringComparison.Ordinal))
            {
                errors.Add($"emperor-cgroup-opt {key}={value}: not a controller file (expected e.g. memory.max, pids.max, cpu.max, cpu.weight)");
                continue;
            }

            var controller = key[..dot];
            if (cgroup.V2 is { } v2 && cgroup.V2Controllers.Contains(controller))
            {
                writes.Add((v2 + "/" + key, value, $"{key}={value}"));
            }
            else if (cgroup.V1.TryGetValue(controller, out var v1))
            {
                if (!TryTranslate(key, value, out var translated, out var error))
                {
                    errors.Add($"emperor-cgroup-opt {key}={value}: {error}");
                    continue;
                }

                writes.AddRange(translated.Select(t => (v1 + "/" + t.Key, t.Value, $"{key}={value}")));
            }
            else
            {
                errors.Add($"emperor-cgroup-opt {key}={value}: no cgroup hierarchy of this Emperor has the {controller} controller");
            }
        }

        return (writes, errors);
    }

    /// <summary>A v2-named KEY as v1 files, or KEY itself when it has no translation (a v1 name).</summary>
    public static bool TryTranslate(string key, string value, out List<KeyValuePair<string, string>> files, out string error)
    {
        error = string.Empty;
        files = [];
        switch (key)
        {
            case "memory.max":
                files.Add(new("memory.limit_in_bytes", value == "max" ? "-1" : value));
                return true;
            case "memory.swap.max":
                files.Add(new("memory.memsw.limit_in_bytes", value == "max" ? "-1" : value));
                return true;
            case "cpu.max":
                var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length is < 1 or > 2 || (parts[0] != "max" && !IsNumber(parts[0])) || (parts.Length == 2 && !IsNumber(parts[1])))
                {
                    error = "expected QUOTA [PERIOD] in microseconds (QUOTA may be max)";
                    return false;
                }

                files.Add(new("cpu.cfs_period_us", parts.Length == 2 ? parts[1] : "100000"));
                files.Add(new("cpu.cfs_quota_us", parts[0] == "max" ? "-1" : parts[0]));
                return true;
            case "cpu.weight":
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight is < 1 or > 10000)
                {
                    error = "expected a weight from 1 to 10000";
                    return false;
                }

                files.Add(new("cpu.shares", Math.Max(2, weight * 1024 / 100).ToString(CultureInfo.InvariantCulture)));
                return true;
            default:
                files.Add(new(key, value));
                return true;
        }
    }

    private static bool IsNumber(string s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
