using System.Globalization;

namespace Emperor.Hosting.Dashboard;

/// <summary>
/// Memory and CPU of vassal processes from <c>/proc/PID/stat</c> (resident set, and CPU time since the previous
/// sample as a share of one core). Read by the dashboard's own task, never by the loop; a pid that is gone is left out.
/// </summary>
internal sealed class ProcessUsage
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly Dictionary<int, (long Ticks, long At)> _last = [];

    /// <summary>Resident KiB and CPU percent (null on the first sample of a pid) for each readable pid.</summary>
    public Dictionary<int, (long RssKiB, double? CpuPercent)> Sample(IEnumerable<int> pids, long nowTicks)
    {
        var result = new Dictionary<int, (long, double?)>();
        var seen = new HashSet<int>();
        foreach (var pid in pids)
        {
            if (pid <= 0 || !seen.Add(pid) || Read(pid) is not { } stat)
            {
                continue;
            }

            double? cpu = null;
            if (_last.TryGetValue(pid, out var before) && nowTicks > before.At)
            {
                var seconds = TimeSpan.FromTicks(nowTicks - before.At).TotalSeconds;
                cpu = Math.Round((stat.Ticks - before.Ticks) / TicksPerSecond / seconds * 100, 1);
            }

            _last[pid] = (stat.Ticks, nowTicks);
            result[pid] = (stat.RssPages * Environment.SystemPageSize / 1024, cpu);
        }

        foreach (var gone in _last.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _last.Remove(gone);
        }

        return result;
    }

    private static (long Ticks, long RssPages)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
        return fields.Length > 21
            && long.TryParse(fields[11], CultureInfo.InvariantCulture, out var utime)
            && long.TryParse(fields[12], CultureInfo.InvariantCulture, out var stime)
            && long.TryParse(fields[21], CultureInfo.InvariantCulture, out var rss)
            ? (utime + stime, rss)
            : null;
    }
}
