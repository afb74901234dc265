using System.Globalization;

namespace Emperor.Core.Cgroups;

/// <summary>What a vassal's cgroup says about it (stats, metrics); null where the host has no such number.</summary>
/// <param name="MemoryCurrent">Bytes charged now (v2 <c>memory.current</c>, v1 <c>memory.usage_in_bytes</c>).</param>
/// <param name="MemoryPeak">The most bytes ever charged (v2 <c>memory.peak</c>, v1 <c>memory.max_usage_in_bytes</c>).</param>
/// <param name="CpuUsageUsec">CPU time of all its processes, living and dead (v2 <c>cpu.stat</c> usage_usec, v1 <c>cpuacct.usage</c>).</param>
/// <param name="OomKills">Processes the OOM killer killed in it (v2 <c>memory.events</c>, v1 <c>memory.oom_control</c>: oom_kill).</param>
/// <param name="PidsCurrent">Tasks in it now (<c>pids.current</c>).</param>
internal sealed record CgroupUsage(long? MemoryCurrent, long? MemoryPeak, long? CpuUsageUsec, long? OomKills, long? PidsCurrent)
{
    /// <summary>The value of <paramref name="key"/> in a flat-keyed file ("key value" lines: cpu.stat, memory.events, memory.oom_control).</summary>
    public static long? Keyed(string? text, string key)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space == key.Length && line.StartsWith(key, StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }

        return null;
    }

    /// <summary>A single-number file (memory.current, pids.current, cpuacct.usage), or null ("max" or unreadable).</summary>
    public static long? Single(string? text) =>
        text is not null && long.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
