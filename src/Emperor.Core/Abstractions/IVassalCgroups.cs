using Emperor.Core.Cgroups;

namespace Emperor.Core.Abstractions;

/// <summary>
/// <c>--emperor-cgroup DIR</c>: a cgroup of its own for every vassal (docs/jails.md). Called on the loop thread
/// except <see cref="Read"/>, which the stats and metrics readers call from their own threads; every call is a few
/// small reads or writes in the cgroup file system, which never blocks on a disk.
/// </summary>
internal interface IVassalCgroups
{
    /// <summary>What is used where (the start-up line).</summary>
    string Description { get; }

    /// <summary>
    /// Creates the vassal's cgroup if it does not exist and writes <paramref name="limits"/> into it. Null, with one
    /// line in <paramref name="error"/>, when that fails (the vassal is then not started).
    /// </summary>
    VassalCgroup? Prepare(string vassal, IReadOnlyList<KeyValuePair<string, string>> limits, out string? error);

    /// <summary>SIGKILL to every process in the cgroup (<c>cgroup.kill</c>, or pid by pid until none is new). True when there was any.</summary>
    bool Kill(VassalCgroup cgroup);

    /// <summary>Removes the cgroup's directories; false while a process is still in it (killed ones leave when reaped).</summary>
    bool TryRemove(VassalCgroup cgroup);

    /// <summary>Memory, CPU, OOM kills and tasks of the cgroup now.</summary>
    CgroupUsage Read(VassalCgroup cgroup);
}
