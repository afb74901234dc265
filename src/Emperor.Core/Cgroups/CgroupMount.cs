namespace Emperor.Core.Cgroups;

/// <summary>One cgroup file system mount from <c>/proc/self/mountinfo</c>.</summary>
/// <param name="MountPoint">Where it is mounted (octal escapes undone).</param>
/// <param name="Root">The cgroup of the hierarchy seen at the mount point ("/" unless a container mounted a subtree).</param>
/// <param name="Version">1 for <c>cgroup</c>, 2 for <c>cgroup2</c>.</param>
/// <param name="Controllers">A v1 mount's controllers (from its super options, e.g. memory, or cpu and cpuacct); empty for v2 and for named v1 hierarchies (name=systemd).</param>
internal sealed record CgroupMount(string MountPoint, string Root, int Version, IReadOnlyList<string> Controllers);
