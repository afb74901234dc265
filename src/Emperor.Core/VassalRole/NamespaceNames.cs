using System.Collections.Frozen;

namespace Emperor.Core.VassalRole;

/// <summary>
/// The names <c>unshare</c> and <c>unshare2</c> take, comma separated, and their clone flags (uWSGI 2.0 core/utils.c
/// <c>uwsgi_unshare_list</c>; "cgroup" is ours, uWSGI 2.0 predates it). fs, mount, mnt and ns are all CLONE_NEWNS.
/// </summary>
internal static class NamespaceNames
{
    public const int CloneNewNs = 0x00020000;
    public const int CloneNewUser = 0x10000000;
    public const int CloneNewPid = 0x20000000;

    private static readonly FrozenDictionary<string, int> s_flags = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["files"] = 0x00000400,
        ["fs"] = 0x00020000,
        ["mount"] = 0x00020000,
        ["mnt"] = 0x00020000,
        ["ns"] = 0x00020000,
        ["ipc"] = 0x08000000,
        ["net"] = 0x40000000,
        ["io"] = unchecked((int)0x80000000),
        ["parent"] = 0x00008000,
        ["pid"] = CloneNewPid,
        ["sysvsem"] = 0x00040000,
        ["uts"] = 0x04000000,
        ["user"] = CloneNewUser,
        ["cgroup"] = 0x02000000,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Parses "net,ipc": the flags, or the first unknown name.</summary>
    public static bool TryParse(string list, out int mask, out string unknown)
    {
        mask = 0;
        unknown = string.Empty;
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!s_flags.TryGetValue(name, out var flag))
            {
                unknown = name;
                return false;
            }

            mask |= flag;
        }

        return true;
    }

    /// <summary>The names of a mask, for messages (one name per flag).</summary>
    public static string Describe(int mask) =>
        string.Join(',', s_flags.Where(kv => kv.Key is not ("fs" or "mnt" or "ns") && (mask & kv.Value) != 0).Select(kv => kv.Key).Order(StringComparer.Ordinal));
}
