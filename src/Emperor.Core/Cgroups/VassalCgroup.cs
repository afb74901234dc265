namespace Emperor.Core.Cgroups;

/// <summary>
/// One vassal's cgroup under <c>--emperor-cgroup DIR</c>: <c>DIR/ESCAPED_NAME</c> in the v2 hierarchy and in the v1
/// hierarchy of each controller v2 lacks.
/// </summary>
/// <param name="Vassal">The vassal's name.</param>
/// <param name="V2">Its v2 cgroup, or null when no cgroup2 is mounted.</param>
/// <param name="V2Controllers">Controllers its v2 cgroup has.</param>
/// <param name="V1">Controller to its cgroup in that controller's v1 hierarchy.</param>
/// <param name="CanKill">Whether <c>V2/cgroup.kill</c> ends everything (else each pid is signalled).</param>
internal sealed record VassalCgroup(string Vassal, string? V2, IReadOnlySet<string> V2Controllers, IReadOnlyDictionary<string, string> V1, bool CanKill)
{
    /// <summary>Every directory of this cgroup, v2 first (created in this order, removed in any).</summary>
    public IReadOnlyList<string> Directories =>
        (V2 is null ? [] : new[] { V2 }).Concat(V1.Values).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid to, to join every hierarchy.</summary>
    public IReadOnlyList<string> ProcsFiles => Directories.Select(d => d + "/cgroup.procs").ToList();

    /// <summary>Where <paramref name="controller"/>'s files are for this vassal (v2 when it has it), or null.</summary>
    public string? Of(string controller) =>
        V2 is not null && V2Controllers.Contains(controller) ? V2 : V1.GetValueOrDefault(controller);

    /// <summary>The hierarchy whose <c>cgroup.procs</c> lists the vassal's processes for a kill by pid.</summary>
    public string Members => V2 ?? Directories[0];

    /// <summary>Where the CPU time is read: v2's <c>cpu.stat</c> (with or without its cpu controller), else v1 cpuacct.</summary>
    public string? CpuUsage => V2 ?? V1.GetValueOrDefault("cpuacct");
}
