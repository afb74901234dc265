namespace Emperor.Core.Cgroups;

/// <summary>
/// Where <c>--emperor-cgroup DIR</c> puts vassals, hierarchy by hierarchy: DIR in the v2 hierarchy (membership,
/// <c>cgroup.kill</c>, <c>cpu.stat</c>, and every controller v2 offers there), and DIR at the same path in the v1
/// hierarchy of each controller v2 lacks (a hybrid host: memory, pids and cpu on v1).
/// </summary>
/// <param name="V2">DIR in the cgroup2 hierarchy, or null when none is mounted.</param>
/// <param name="V2Controllers">The controllers DIR's children get on v2 (DIR's <c>cgroup.subtree_control</c>).</param>
/// <param name="V1">Controller to DIR in that controller's v1 hierarchy, for the controllers v2 does not offer.</param>
/// <param name="CanKill">Whether v2 has <c>cgroup.kill</c> (Linux 5.14); otherwise every pid is signalled.</param>
internal sealed record CgroupLayout(string? V2, IReadOnlySet<string> V2Controllers, IReadOnlyDictionary<string, string> V1, bool CanKill)
{
    /// <summary>The controllers whose limits and usage the Emperor reads or writes.</summary>
    public static readonly string[] Wanted = ["memory", "pids", "cpu"];

    /// <summary>The vassal's own cgroup: <c>DIR/ESCAPED_NAME</c> in every hierarchy used.</summary>
    public VassalCgroup For(string vassal)
    {
        var name = CgroupNames.Escape(vassal);
        var v1 = V1.ToDictionary(kv => kv.Key, kv => kv.Value + "/" + name, StringComparer.Ordinal);
        return new VassalCgroup(vassal, V2 is null ? null : V2 + "/" + name, V2Controllers, v1, CanKill && V2 is not null);
    }

    /// <summary>One line for the start-up log: what is used where.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (V2 is not null)
        {
            parts.Add($"v2 {V2} (membership, {(CanKill ? "cgroup.kill" : "kill by pid: no cgroup.kill")}, cpu.stat{(V2Controllers.Count > 0 ? ", " + string.Join(", ", Wanted.Where(V2Controllers.Contains)) : string.Empty)})");
        }

        foreach (var group in V1.GroupBy(kv => kv.Value, StringComparer.Ordinal))
        {
            parts.Add($"v1 {group.Key} ({string.Join(", ", group.Select(kv => kv.Key))})");
        }

        var missing = Wanted.Where(c => !V2Controllers.Contains(c) && !V1.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            parts.Add($"no {string.Join(", ", missing)} controller");
        }

        return string.Join("; ", parts);
    }

    /// <summary>
    /// Which mount <paramref name="dir"/> is in and its path inside that hierarchy (the same path is then used in
    /// the others), or why it cannot be used.
    /// </summary>
    public static bool TryLocate(IReadOnlyList<CgroupMount> mounts, string dir, out string relative, out string error)
    {
        relative = string.Empty;
        error = string.Empty;
        if (mounts.Count == 0)
        {
            error = "no cgroup file system is mounted (none in /proc/self/mountinfo)";
            return false;
        }

        var full = dir.TrimEnd('/');
        var mount = mounts
            .Where(m => full == m.MountPoint.TrimEnd('/') || full.StartsWith(m.MountPoint.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.MountPoint.Length)
            .FirstOrDefault();
        if (mount is null)
        {
            error = $"not inside a cgroup file system (mounted: {string.Join(", ", mounts.Select(m => m.MountPoint).Distinct())})";
            return false;
        }

        relative = full[mount.MountPoint.TrimEnd('/').Length..];
        if (relative.Length == 0)
        {
            error = $"is the root of a cgroup hierarchy; name a directory below it (e.g. {mount.MountPoint.TrimEnd('/')}/emperor)";
            return false;
        }

        if (relative.Split('/').Any(p => p is "." or ".."))
        {
            error = "must not contain . or .. components";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The layout for the hierarchy path <paramref name="relative"/> (from <see cref="TryLocate"/>): v2 if mounted,
    /// and for each wanted controller v2 does not offer under DIR the v1 hierarchy that has it.
    /// </summary>
    public static CgroupLayout Resolve(IReadOnlyList<CgroupMount> mounts, string relative, IReadOnlyCollection<string> v2Controllers, bool v2HasKill)
    {
        var v2 = mounts.FirstOrDefault(m => m.Version == 2);
        var offered = v2 is null ? new HashSet<string>(StringComparer.Ordinal) : v2Controllers.Where(Wanted.Contains).ToHashSet(StringComparer.Ordinal);
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var controller in Wanted.Append("cpuacct"))
        {
            if (offered.Contains(controller) || (controller == "cpuacct" && v2 is not null))
            {
                continue; // v2's cpu.stat has the usage even without its cpu controller
            }

            if (mounts.FirstOrDefault(m => m.Version == 1 && m.Controllers.Contains(controller, StringComparer.Ordinal)) is { } m1)
            {
                v1[controller] = m1.MountPoint.TrimEnd('/') + relative;
            }
        }

        return new CgroupLayout(v2 is null ? null : v2.MountPoint.TrimEnd('/') + relative, offered, v1, v2HasKill);
    }
}
