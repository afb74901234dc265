using Emperor.Core.Emperor;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.Cgroups;

/// <summary>The Emperor's jail options on its command line, and emperor-cgroup-opt in a vassal file.</summary>
public sealed class CgroupSettingsTests
{
    private static List<KeyValuePair<string, string>> Opts(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToList();

    [Fact]
    public void EmperorCgroup_AndItsOptions_InOrder()
    {
        var (s, errors) = EmperorSettingsReader.Read(Opts(
            "emperor-cgroup", "/sys/fs/cgroup/emperor", "emperor-cgroup-opt", "memory.max=64M", "emperor-cgroup-opt", "pids.max:20"));

        Assert.Empty(errors);
        Assert.Equal("/sys/fs/cgroup/emperor", s.CgroupDirectory);
        Assert.Equal([new("memory.max", "64M"), new("pids.max", "20")], s.CgroupOptions);
    }

    [Fact]
    public void EmperorCap_AndItsAliases_TheLastNamesTheSet()
    {
        var (s, errors) = EmperorSettingsReader.Read(Opts("emperor-cap", "sys_admin", "vassals-cap", "net_bind_service,cap_kill,0"));

        Assert.Empty(errors);
        Assert.Equal([10, 5, 0], s.VassalCaps);
        Assert.Null(EmperorSettingsReader.Read(Opts("emperor", "/v")).Settings.VassalCaps);
    }

    [Fact]
    public void BadValues_OneLineEach()
    {
        var (_, errors) = EmperorSettingsReader.Read(Opts("vassal-cap", "net_bind_servic", "emperor-cgroup-opt", "memory"));

        Assert.Equal(
            [
                "--vassal-cap net_bind_servic: unknown capability \"net_bind_servic\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)",
                "--emperor-cgroup-opt memory: expected KEY=VALUE, e.g. memory.max=256M",
            ],
            errors);
    }

    [Fact]
    public void VassalFile_EmperorCgroupOpt_IsPlannedWithWhereItWasWritten_NotIgnored()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [new("emperor-cgroup-opt", "memory.max=64M"), new("emperor-cgroup-opt", "bad"), new("unprivileged-binary-patch", "/bin/true")],
            [new("/v/a.ini", 2, 1), new("/v/a.ini", 3, 1), new("/v/a.ini", 4, 1)]);

        Assert.Equal([(new KeyValuePair<string, string>("memory.max", "64M"), "/v/a.ini:2: ")], plan.EmperorCgroupOptions);
        Assert.DoesNotContain("emperor-cgroup-opt", plan.IgnoredOptions);
        Assert.Equal(["/v/a.ini:3: emperor-cgroup-opt = bad: expected KEY=VALUE, e.g. memory.max=256M"], errors);
    }
}
