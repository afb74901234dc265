using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Emperor.Core.Cgroups;

/// <summary>
/// A vassal name as one cgroup directory name: one path component, never "." or "..", never the name of a
/// control file (<c>cgroup.procs</c>, <c>memory.max</c>, <c>tasks</c>, …), at most 255 bytes. '/' and '%' and
/// control characters become %XX; a leading '.' or '_', or a name that starts like a control file, gets a '_' in
/// front (as systemd escapes unit names); too long a name is cut and ends in a hash of the whole, so two names
/// never share a cgroup.
/// </summary>
internal static class CgroupNames
{
    private static readonly string[] s_reservedPrefixes =
    [
        "cgroup.", "memory.", "pids.", "cpu.", "cpuacct.", "cpuset.", "io.", "blkio.", "devices.", "freezer.", "net_cls.",
        "net_prio.", "perf_event.", "hugetlb.", "rdma.", "misc.", "irq.",
    ];

    private static readonly string[] s_reservedNames = ["tasks", "notify_on_release", "release_agent"];

    public static string Escape(string vassal)
    {
        var sb = new StringBuilder(vassal.Length + 2);
        foreach (var c in vassal)
        {
            if (c is '/' or '%' || char.IsControl(c))
            {
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        var name = sb.ToString();
        if (name.Length == 0 || name[0] is '.' or '_' || s_reservedNames.Contains(name, StringComparer.Ordinal)
            || s_reservedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
        {
            name = "_" + name;
        }

        if (Encoding.UTF8.GetByteCount(name) > 255)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(vassal)))[..16];
            var keep = name;
            while (Encoding.UTF8.GetByteCount(keep) > 255 - 17)
            {
                keep = keep[..^1];
            }

            name = keep + "~" + hash;
        }

        return name;
    }
}
