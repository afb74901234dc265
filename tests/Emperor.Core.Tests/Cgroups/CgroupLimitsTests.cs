using Emperor.Core.Cgroups;

namespace Emperor.Core.Tests.Cgroups;

/// <summary>emperor-cgroup-opt KEY=VALUE: written where the controller is, translated for v1 on a hybrid host.</summary>
public sealed class CgroupLimitsTests
{
    private static readonly VassalCgroup s_hybrid = new(
        "a.ini",
        "/cg/unified/e/a.ini",
        new HashSet<string>(StringComparer.Ordinal),
        new Dictionary<string, string>(StringComparer.Ordinal) { ["memory"] = "/cg/memory/e/a.ini", ["pids"] = "/cg/pids/e/a.ini", ["cpu"] = "/cg/cpu/e/a.ini" },
        CanKill: true);

    private static readonly VassalCgroup s_v2 = new(
        "a.ini", "/cg/e/a.ini", new HashSet<string>(["memory", "pids", "cpu"], StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), CanKill: true);

    [Fact]
    public void PureV2_WrittenAsNamed()
    {
        var (writes, errors) = CgroupLimits.Plan(s_v2, [new("memory.max", "64M"), new("pids.max", "20"), new("cpu.max", "50000 100000")]);

        Assert.Empty(errors);
        Assert.Equal([("/cg/e/a.ini/memory.max", "64M"), ("/cg/e/a.ini/pids.max", "20"), ("/cg/e/a.ini/cpu.max", "50000 100000")], writes.Select(w => (w.File, w.Value)));
    }

    [Fact]
    public void Hybrid_TranslatedForV1()
    {
        var (writes, errors) = CgroupLimits.Plan(s_hybrid, [new("memory.max", "max"), new("pids.max", "20"), new("cpu.max", "50000"), new("cpu.weight", "200")]);

        Assert.Empty(errors);
        Assert.Equal(
            [
                ("/cg/memory/e/a.ini/memory.limit_in_bytes", "-1"), ("/cg/pids/e/a.ini/pids.max", "20"),
                ("/cg/cpu/e/a.ini/cpu.cfs_period_us", "100000"), ("/cg/cpu/e/a.ini/cpu.cfs_quota_us", "50000"),
                ("/cg/cpu/e/a.ini/cpu.shares", "2048"),
            ],
            writes.Select(w => (w.File, w.Value)));
        Assert.Equal("cpu.max=50000", writes[2].Option);
    }

    [Fact]
    public void Hybrid_AV1NameIsWrittenAsNamed_AndTheLaterValueOfAKeyWins()
    {
        var (writes, errors) = CgroupLimits.Plan(s_hybrid, [new("memory.limit_in_bytes", "1"), new("memory.limit_in_bytes", "67108864")]);

        Assert.Empty(errors);
        Assert.Equal([("/cg/memory/e/a.ini/memory.limit_in_bytes", "67108864", "memory.limit_in_bytes=67108864")], writes);
    }

    [Theory]
    [InlineData("io.max", "8:0 rbps=1", "emperor-cgroup-opt io.max=8:0 rbps=1: no cgroup hierarchy of this Emperor has the io controller")]
    [InlineData("cgroup.procs", "1", "emperor-cgroup-opt cgroup.procs=1: not a controller file (expected e.g. memory.max, pids.max, cpu.max, cpu.weight)")]
    [InlineData("cpu.max", "half", "emperor-cgroup-opt cpu.max=half: expected QUOTA [PERIOD] in microseconds (QUOTA may be max)")]
    [InlineData("cpu.weight", "0", "emperor-cgroup-opt cpu.weight=0: expected a weight from 1 to 10000")]
    public void Refused_WithOneLine(string key, string value, string error)
    {
        var (writes, errors) = CgroupLimits.Plan(s_hybrid, [new(key, value)]);

        Assert.Empty(writes);
        Assert.Equal([error], errors);
    }

    [Theory]
    [InlineData("memory.max=64M", "memory.max", "64M")]
    [InlineData("pids.max:20", "pids.max", "20")]
    [InlineData("cpu.max = 50000 100000", "cpu.max", "50000 100000")]
    public void Option_KeyEqualsOrColonValue(string text, string key, string value)
    {
        Assert.True(CgroupOption.TryParse(text, out var option, out _));
        Assert.Equal(new KeyValuePair<string, string>(key, value), option);
    }

    [Theory]
    [InlineData("memory", "expected KEY=VALUE, e.g. memory.max=256M")]
    [InlineData("max=1", "\"max\" is not a cgroup controller file (e.g. memory.max, pids.max, cpu.max, cpu.weight)")]
    [InlineData("../memory.max=1", "\"../memory.max\" is not a cgroup controller file (e.g. memory.max, pids.max, cpu.max, cpu.weight)")]
    public void Option_Refused(string text, string error)
    {
        Assert.False(CgroupOption.TryParse(text, out _, out var why));
        Assert.Equal(error, why);
    }
}
