using Emperor.Core.Config;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.VassalRole;

/// <summary>The jail options of a vassal config, planned purely (issue #15).</summary>
public sealed class VassalPlannerJailTests
{
    private static readonly ConfigOption s_patch = new("unprivileged-binary-patch", "/bin/true");

    [Fact]
    public void Unshare_NamesAsUwsgi_AccumulateOverOccurrences()
    {
        var (plan, errors) = VassalPlanner.Plan([new("unshare", "net,ipc"), new("unshare", "fs"), new("unshare2", "uts"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(0x40000000 | 0x08000000 | 0x00020000, plan.Jail.Unshare);
        Assert.Equal(0x04000000, plan.Jail.Unshare2);
    }

    [Theory]
    [InlineData("mount", 0x00020000)]
    [InlineData("mnt", 0x00020000)]
    [InlineData("ns", 0x00020000)]
    [InlineData("pid", 0x20000000)]
    [InlineData("user", 0x10000000)]
    [InlineData("cgroup", 0x02000000)]
    [InlineData("sysvsem", 0x00040000)]
    public void Unshare_EachName(string name, int flag)
    {
        var (plan, errors) = VassalPlanner.Plan([new("unshare", name), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(flag, plan.Jail.Unshare);
    }

    [Fact]
    public void Unshare_UnknownName_IsOneErrorWithThePlace()
    {
        var (_, errors) = VassalPlanner.Plan([new("unshare", "net,nett"), s_patch], [new("a.ini", 3, 1), new("a.ini", 4, 1)]);

        Assert.Equal(["a.ini:3: unshare = net,nett: unknown namespace \"nett\" (known: cgroup, files, fs, ipc, mnt, mount, net, ns, pid, sysvsem, user, uts)"], errors);
    }

    [Fact]
    public void PivotRoot_TakesNewRootAndPutOldRelativeToIt()
    {
        var (plan, errors) = VassalPlanner.Plan([new("unshare", "mount"), new("pivot_root", "/srv/root /old"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(("/srv/root", "old"), plan.Jail.PivotRoot);
    }

    [Fact]
    public void PivotRoot_WithoutAMountNamespace_IsRefused()
    {
        var (_, errors) = VassalPlanner.Plan([new("pivot-root", "/srv/root old"), s_patch]);

        Assert.Equal(["pivot-root needs a mount namespace of its own: add unshare = mount"], errors);
    }

    [Fact]
    public void PivotRoot_WithOnePath_IsAnError()
    {
        var (_, errors) = VassalPlanner.Plan([new("unshare", "mount"), new("pivot-root", "/srv/root"), s_patch]);

        Assert.Equal(["pivot-root = /srv/root: expected NEW_ROOT PUT_OLD separated by a space"], errors);
    }

    [Fact]
    public void Hooks_ByPhase_HookLinesBeforeExecLines_ThenFileOrder()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [
                new("exec-as-user", "u"), new("exec-as-root", "r1"), new("hook-as-root", "exec:r0"), new("exec-as-root", "r2"),
                new("hook-pre-jail", "!write:/x secret"), new("exec-asap", "a"), s_patch,
            ]);

        Assert.Empty(errors);
        Assert.Equal(
            [
                new HookSpec(HookPhase.Asap, "exec-asap", "exec", "a", false),
                new HookSpec(HookPhase.PreJail, "hook-pre-jail", "write", "/x secret", true),
                new HookSpec(HookPhase.AsRoot, "hook-as-root", "exec", "r0", false),
                new HookSpec(HookPhase.AsRoot, "exec-as-root", "exec", "r1", false),
                new HookSpec(HookPhase.AsRoot, "exec-as-root", "exec", "r2", false),
                new HookSpec(HookPhase.AsUser, "exec-as-user", "exec", "u", false),
            ],
            plan.Jail.Hooks);
        Assert.Equal("hook-pre-jail (private hook)", plan.Jail.Hooks[1].Describe());
        Assert.Equal("exec-as-root r1", plan.Jail.Hooks[3].Describe());
    }

    [Theory]
    [InlineData("hook-as-root", "nocolon", "hook-as-root = nocolon: expected ACTION:ARGUMENTS, e.g. exec:/usr/bin/setup or mkdir:/run/app")]
    [InlineData("hook-as-root", "!nocolon", "hook-as-root = (private hook): expected ACTION:ARGUMENTS, e.g. exec:/usr/bin/setup or mkdir:/run/app")]
    public void Hook_WithoutAnAction_IsAnError(string key, string value, string expected)
    {
        var (_, errors) = VassalPlanner.Plan([new(key, value), s_patch]);

        Assert.Equal([expected], errors);
    }

    [Theory]
    [InlineData("hook-pre-app")]
    [InlineData("hook-accepting")]
    [InlineData("exec-as-user-atexit")]
    [InlineData("hook-as-vassal")]
    public void AppServerAndEmperorSideHooks_AreIgnoredNotRun(string key)
    {
        var (plan, errors) = VassalPlanner.Plan([new(key, "exec:true"), s_patch]);

        Assert.Empty(errors);
        Assert.Empty(plan.Jail.Hooks);
        Assert.Equal([key], plan.IgnoredOptions);
    }

    [Fact]
    public void Cap_NamesNumbersAndPrefix_LastOccurrenceWins()
    {
        var (plan, errors) = VassalPlanner.Plan([new("cap", "sys_admin"), new("cap", "net_bind_service, CAP_SYS_NICE,13,13"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal([10, 23, 13], plan.Jail.Capabilities);
    }

    [Theory]
    [InlineData("net_bind", "cap = net_bind: unknown capability \"net_bind\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)")]
    [InlineData("64", "cap = 64: unknown capability \"64\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)")]
    [InlineData(",", "cap = ,: empty capability list")]
    public void Cap_Bad_IsOneError(string value, string expected)
    {
        var (_, errors) = VassalPlanner.Plan([new("cap", value), s_patch]);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Cgroups_PathsAndOptionsAccumulate_DirModeDefaultsTo0700()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [new("cgroup", "/sys/fs/cgroup/memory/app"), new("cgroup-opt", "memory.limit_in_bytes=64M"), new("cgroup", "/sys/fs/cgroup/unified/app"), new("cgroup-opt", "pids.max:50"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(["/sys/fs/cgroup/memory/app", "/sys/fs/cgroup/unified/app"], plan.Jail.Cgroups);
        Assert.Equal([new("memory.limit_in_bytes", "64M"), new KeyValuePair<string, string>("pids.max", "50")], plan.Jail.CgroupOptions);
        Assert.Equal(Convert.ToInt32("700", 8), plan.Jail.CgroupDirMode);
    }

    [Fact]
    public void CgroupOpt_WithoutACgroup_OrWithoutAValue_AreErrors()
    {
        Assert.Equal(["cgroup-opt needs a cgroup = PATH to apply to"], VassalPlanner.Plan([new("cgroup-opt", "pids.max=5"), s_patch]).Errors);
        Assert.Equal(
            ["cgroup-opt = pids.max: expected KEY=VALUE, e.g. memory.limit_in_bytes=268435456"],
            VassalPlanner.Plan([new("cgroup", "/c"), new("cgroup-opt", "pids.max"), s_patch]).Errors);
    }

    [Fact]
    public void NamespaceNames_Describe_OneNamePerFlag()
    {
        Assert.True(NamespaceNames.TryParse("fs,net,mnt", out var mask, out _));
        Assert.Equal("mount,net", NamespaceNames.Describe(mask));
    }
}
