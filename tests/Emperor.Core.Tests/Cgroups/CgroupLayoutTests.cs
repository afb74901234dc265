using Emperor.Core.Cgroups;

namespace Emperor.Core.Tests.Cgroups;

/// <summary>
/// <c>--emperor-cgroup DIR</c> on the three layouts a host can have, from mountinfo text: hybrid (this project's
/// machines: v1 controllers beside a v2 with only membership, cgroup.kill and cpu.stat), pure v2, and v1 only.
/// </summary>
public sealed class CgroupLayoutTests
{
    /// <summary>This machine's cgroup lines of /proc/self/mountinfo (plus a line that is no cgroup).</summary>
    private const string Hybrid = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    /// <summary>A systemd host on the unified hierarchy (Debian 11+, Fedora 31+), with optional fields before the dash.</summary>
    private const string PureV2 = """
        25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    /// <summary>An old systemd layout: v1 only, cpu and cpuacct co-mounted, a path with a space.</summary>
    private const string V1Only = """
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/my\040pids rw,relatime - cgroup cgroup rw,pids
        """;

    [Fact]
    public void Parse_Hybrid_FindsV2AndEachV1Controller()
    {
        var mounts = CgroupMounts.Parse(Hybrid);

        Assert.Equal(8, mounts.Count);
        Assert.Equal("/sys/fs/cgroup/unified", Assert.Single(mounts, m => m.Version == 2).MountPoint);
        Assert.Equal(["memory"], mounts.Single(m => m.MountPoint == "/sys/fs/cgroup/memory").Controllers);
        Assert.Empty(mounts.Single(m => m.MountPoint == "/sys/fs/cgroup/systemd").Controllers); // name=systemd
    }

    [Fact]
    public void Parse_UndoesOctalEscapes_AndSplitsCoMountedControllers()
    {
        var mounts = CgroupMounts.Parse(V1Only);

        Assert.Equal("/sys/fs/cgroup/my pids", mounts[2].MountPoint);
        Assert.Equal(["cpu", "cpuacct"], mounts[0].Controllers);
    }

    [Fact]
    public void Hybrid_V2ForMembershipKillAndCpuStat_V1ForMemoryPidsCpu()
    {
        var mounts = CgroupMounts.Parse(Hybrid);

        Assert.True(CgroupLayout.TryLocate(mounts, "/sys/fs/cgroup/unified/emperor", out var relative, out _));
        var layout = CgroupLayout.Resolve(mounts, relative, v2Controllers: [], v2HasKill: true);
        var cgroup = layout.For("shop.ini");

        Assert.Equal("/sys/fs/cgroup/unified/emperor/shop.ini", cgroup.V2);
        Assert.Equal("/sys/fs/cgroup/memory/emperor/shop.ini", cgroup.Of("memory"));
        Assert.Equal("/sys/fs/cgroup/pids/emperor/shop.ini", cgroup.Of("pids"));
        Assert.Equal("/sys/fs/cgroup/cpu/emperor/shop.ini", cgroup.Of("cpu"));
        Assert.Equal("/sys/fs/cgroup/unified/emperor/shop.ini", cgroup.CpuUsage); // cpu.stat, not cpuacct
        Assert.True(cgroup.CanKill);
        Assert.Equal(
            ["/sys/fs/cgroup/unified/emperor/shop.ini/cgroup.procs", "/sys/fs/cgroup/memory/emperor/shop.ini/cgroup.procs", "/sys/fs/cgroup/pids/emperor/shop.ini/cgroup.procs", "/sys/fs/cgroup/cpu/emperor/shop.ini/cgroup.procs"],
            cgroup.ProcsFiles);
    }

    [Fact]
    public void Hybrid_DirNamedInAV1Hierarchy_UsesTheSamePathEverywhere()
    {
        var mounts = CgroupMounts.Parse(Hybrid);

        Assert.True(CgroupLayout.TryLocate(mounts, "/sys/fs/cgroup/memory/apps/emperor/", out var relative, out _));
        var layout = CgroupLayout.Resolve(mounts, relative, [], v2HasKill: true);

        Assert.Equal("/apps/emperor", relative);
        Assert.Equal("/sys/fs/cgroup/unified/apps/emperor", layout.V2);
        Assert.Equal("/sys/fs/cgroup/memory/apps/emperor", layout.V1["memory"]);
    }

    [Fact]
    public void PureV2_WithItsControllers_UsesNoV1()
    {
        var mounts = CgroupMounts.Parse(PureV2);

        Assert.True(CgroupLayout.TryLocate(mounts, "/sys/fs/cgroup/emperor", out var relative, out _));
        var layout = CgroupLayout.Resolve(mounts, relative, ["cpuset", "cpu", "io", "memory", "pids"], v2HasKill: true);
        var cgroup = layout.For("a.ini");

        Assert.Empty(layout.V1);
        Assert.Equal("/sys/fs/cgroup/emperor/a.ini", cgroup.Of("memory"));
        Assert.Equal(["/sys/fs/cgroup/emperor/a.ini/cgroup.procs"], cgroup.ProcsFiles);
        Assert.Equal("v2 /sys/fs/cgroup/emperor (membership, cgroup.kill, cpu.stat, memory, pids, cpu)", layout.Describe());
    }

    [Fact]
    public void PureV2_WithoutTheMemoryController_SaysSo()
    {
        var mounts = CgroupMounts.Parse(PureV2);
        CgroupLayout.TryLocate(mounts, "/sys/fs/cgroup/emperor", out var relative, out _);

        var layout = CgroupLayout.Resolve(mounts, relative, ["pids"], v2HasKill: false);

        Assert.Null(layout.For("a.ini").Of("memory"));
        Assert.False(layout.For("a.ini").CanKill);
        Assert.Equal("v2 /sys/fs/cgroup/emperor (membership, kill by pid: no cgroup.kill, cpu.stat, pids); no memory, cpu controller", layout.Describe());
    }

    [Fact]
    public void V1Only_NoV2_KillByPid_CpuTimeFromCpuacct()
    {
        var mounts = CgroupMounts.Parse(V1Only);
        Assert.True(CgroupLayout.TryLocate(mounts, "/sys/fs/cgroup/memory/emperor", out var relative, out _));

        var cgroup = CgroupLayout.Resolve(mounts, relative, [], v2HasKill: false).For("a.ini");

        Assert.Null(cgroup.V2);
        Assert.False(cgroup.CanKill);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/emperor/a.ini", cgroup.CpuUsage);
        Assert.Equal("/sys/fs/cgroup/my pids/emperor/a.ini", cgroup.Of("pids"));
        Assert.Equal(3, cgroup.Directories.Count); // cpu and cpuacct share one directory
    }

    [Theory]
    [InlineData("/tmp/emperor", "not inside a cgroup file system (mounted: /sys/fs/cgroup/cpu, ")]
    [InlineData("/sys/fs/cgroup/unified", "is the root of a cgroup hierarchy; name a directory below it (e.g. /sys/fs/cgroup/unified/emperor)")]
    [InlineData("/sys/fs/cgroup/unified/a/../b", "must not contain . or .. components")]
    public void TryLocate_Refuses_WithOneReason(string dir, string reason)
    {
        Assert.False(CgroupLayout.TryLocate(CgroupMounts.Parse(Hybrid), dir, out _, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLocate_NoCgroupMounted()
    {
        Assert.False(CgroupLayout.TryLocate([], "/sys/fs/cgroup/emperor", out _, out var error));
        Assert.Equal("no cgroup file system is mounted (none in /proc/self/mountinfo)", error);
    }
}
