using System.Text;

namespace Emperor.Core.Cgroups;

/// <summary>
/// Reads the cgroup mounts out of <c>/proc/self/mountinfo</c> text (proc(5)): a pure-v2 host has one <c>cgroup2</c>
/// mount; a hybrid host (systemd's "hybrid", or the machines these tests run on) mounts <c>cgroup2</c> beside one
/// <c>cgroup</c> mount per v1 controller; a legacy host has v1 only.
/// </summary>
internal static class CgroupMounts
{
    /// <summary>The v1 controllers the Emperor uses, by the name in a mount's super options.</summary>
    private static readonly string[] s_known = ["memory", "pids", "cpu", "cpuacct", "cpuset", "blkio", "devices", "freezer", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc"];

    public static List<CgroupMount> Parse(string mountinfo)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in mountinfo.Split('\n'))
        {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 6 || dash + 1 >= fields.Length)
            {
                continue;
            }

            var type = fields[dash + 1];
            if (type is not ("cgroup" or "cgroup2"))
            {
                continue;
            }

            var super = dash + 3 < fields.Length ? fields[dash + 3] : string.Empty;
            var controllers = type == "cgroup"
                ? super.Split(',').Where(o => s_known.Contains(o, StringComparer.Ordinal)).ToList()
                : [];
            mounts.Add(new CgroupMount(Unescape(fields[4]), Unescape(fields[3]), type == "cgroup2" ? 2 : 1, controllers));
        }

        return mounts;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash in paths as \040, \011, \012, \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
