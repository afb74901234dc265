using Emperor.Core.Cgroups;

namespace Emperor.Core.Tests.Cgroups;

/// <summary>A vassal name as one cgroup directory: never a path, a dot entry or a control file, never shared.</summary>
public sealed class CgroupNamesTests
{
    [Theory]
    [InlineData("shop.ini", "shop.ini")]
    [InlineData("multi.ini:blog", "multi.ini:blog")]
    [InlineData("a/b.ini", "a%2Fb.ini")]
    [InlineData("100%.ini", "100%25.ini")]
    [InlineData(".hidden.ini", "_.hidden.ini")]
    [InlineData("..", "_..")]
    [InlineData("_x.ini", "__x.ini")]
    [InlineData("memory.max", "_memory.max")]
    [InlineData("cgroup.procs", "_cgroup.procs")]
    [InlineData("tasks", "_tasks")]
    [InlineData("cpu.ini", "_cpu.ini")]
    public void Escape(string vassal, string directory) => Assert.Equal(directory, CgroupNames.Escape(vassal));

    [Fact]
    public void TooLong_IsCutAndHashed_SoTwoNamesNeverShare()
    {
        var a = CgroupNames.Escape(new string('a', 300) + "1.ini");
        var b = CgroupNames.Escape(new string('a', 300) + "2.ini");

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(a) <= 255);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("cpu.stat", "usage_usec", 123456L)]
    [InlineData("memory.events", "oom_kill", 2L)]
    [InlineData("memory.events", "oom", 3L)]
    [InlineData("memory.events", "none", null)]
    public void Keyed(string file, string key, long? value)
    {
        var text = file == "cpu.stat"
            ? "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n"
            : "low 0\nhigh 0\nmax 7\noom 3\noom_kill 2\noom_group_kill 0\n";

        Assert.Equal(value, CgroupUsage.Keyed(text, key));
    }

    [Fact]
    public void Single_NumberOrNull() =>
        Assert.Equal([4096L, null, null], new[] { "4096\n", "max\n", null }.Select(CgroupUsage.Single));
}
