using System.Collections.Frozen;
using System.Globalization;

namespace Emperor.Core.VassalRole;

/// <summary>
/// Linux capability names as <c>cap = LIST</c> takes them (uWSGI 2.0 core/utils.c <c>uwsgi_cap_names</c>: lower case,
/// no <c>cap_</c> prefix), or numbers. uWSGI logs and skips an unknown name; the vassal role refuses it.
/// </summary>
internal static class CapabilityNames
{
    private static readonly string[] s_names =
    [
        "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
        "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
        "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
        "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
        "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
        "checkpoint_restore",
    ];

    private static readonly FrozenDictionary<string, int> s_byName =
        s_names.Select((name, i) => (name, i)).ToFrozenDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

    /// <summary>The highest capability number the vassal role knows (capabilities are 0..63 in the kernel's sets).</summary>
    public static int Last => s_names.Length - 1;

    /// <summary>Parses "net_bind_service,sys_nice" (or numbers): the capability numbers, or the first unknown entry.</summary>
    public static bool TryParse(string list, out List<int> caps, out string unknown)
    {
        caps = [];
        unknown = string.Empty;
        foreach (var entry in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = entry.StartsWith("cap_", StringComparison.OrdinalIgnoreCase) ? entry[4..] : entry;
            if (s_byName.TryGetValue(name.ToLowerInvariant(), out var cap)
                || (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out cap) && cap <= 63))
            {
                if (!caps.Contains(cap))
                {
                    caps.Add(cap);
                }
            }
            else
            {
                unknown = entry;
                return false;
            }
        }

        return true;
    }

    public static string Name(int cap) => cap < s_names.Length ? s_names[cap] : cap.ToString(CultureInfo.InvariantCulture);
}
