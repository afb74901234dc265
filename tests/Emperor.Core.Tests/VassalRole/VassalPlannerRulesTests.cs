using Emperor.Core.Config;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.VassalRole;

/// <summary>Never silent (issue #15 §5), decided purely from the options.</summary>
public sealed class VassalPlannerRulesTests
{
    private static readonly ConfigOption s_patch = new("unprivileged-binary-patch", "/bin/true");

    [Fact]
    public void RefusedOption_NamesFileLineOptionValueAndTheHint()
    {
        var (_, errors) = VassalPlanner.Plan(
            [new("uid", "1000"), new("pidfile", "/run/app.pid"), s_patch],
            [new("/etc/vassals/app.ini", 2, 1), new("/etc/vassals/app.ini", 7, 1), new("/etc/vassals/app.ini", 9, 1)]);

        Assert.Equal(
            ["/etc/vassals/app.ini:7: pidfile = /run/app.pid: not supported by the Emperor's vassal role (uWSGI applies it before it execs the program, the vassal role does not); start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI"],
            errors);
    }

    [Fact]
    public void RefusedOption_WithoutLocations_StillOneLineWithoutAPlace()
    {
        var (_, errors) = VassalPlanner.Plan([new("mount-as-root", "proc none /proc"), s_patch]);

        var line = Assert.Single(errors);
        Assert.StartsWith("mount-as-root = proc none /proc: not supported by the Emperor's vassal role (", line, StringComparison.Ordinal);
    }

    [Fact]
    public void EachRefusedOccurrence_IsItsOwnLine()
    {
        var (_, errors) = VassalPlanner.Plan([new("wait-for-file", "/a"), new("wait-for-file", "/b"), s_patch]);

        Assert.Equal(2, errors.Count);
        Assert.Contains("wait-for-file = /a:", errors[0], StringComparison.Ordinal);
        Assert.Contains("wait-for-file = /b:", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AppServerOptions_WithAPatch_AreIgnoredOnceEachInFirstSeenOrder()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [new("processes", "4"), new("harakiri", "30"), new("ini", "app.ini"), new("set-placeholder", "x=1"), new("processes", "8"), new("master", null), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(["processes", "harakiri", "master"], plan.IgnoredOptions);
    }

    [Fact]
    public void ImplementedOptions_AreNeitherRefusedNorIgnored()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [new("uid", "1000"), new("gid", "1000"), new("chmod", "660"), new("env", "A=1"), new("socket", ":0"), s_patch]);

        Assert.Empty(errors);
        Assert.Empty(plan.IgnoredOptions);
        Assert.Equal(Convert.ToInt32("660", 8), plan.ChmodSocket);
    }

    [Theory]
    [InlineData("caps", "cap")]
    [InlineData("unshar", "unshare")]
    [InlineData("uidd", "uid")]
    [InlineData("cgroups", "cgroup")]
    [InlineData("exec-as-roots", "exec-as-root")]
    [InlineData("pidfiles", "pidfile")]
    public void OneEditFromAnOptionThatChangesHowTheProgramRuns_IsAnErrorWithTheSuggestion(string typed, string meant)
    {
        var (_, errors) = VassalPlanner.Plan([new(typed, "x"), s_patch], [new("app.ini", 5, 1), new("app.ini", 6, 1)]);

        Assert.Equal([$"app.ini:5: {typed} = x: unknown option; did you mean {meant}? (uWSGI refuses an unknown option; ignored, this one could run the program without what the file asks for)"], errors);
    }

    [Theory]
    [InlineData("base")] // a placeholder
    [InlineData("pythonpath")] // a plugin option
    [InlineData("emperor-fd")] // UWSGI_EMPEROR_FD seen as an option
    public void OtherUnknownNames_AreIgnored(string name)
    {
        var (plan, errors) = VassalPlanner.Plan([new(name, "x"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal([name], plan.IgnoredOptions);
    }

    [Fact]
    public void EveryRefusedOptionIsAKnownUwsgiOption()
    {
        foreach (var name in new[] { "setns", "logfile-chown", "pidfile", "file-write", "reuse-port", "refork-as-root", "call-as-user", "wait-for-mountpoint" })
        {
            Assert.NotNull(Core.Config.Options.UwsgiOptionTable.Find(name));
            Assert.NotNull(VassalOptionRules.RefusalReason(name));
        }
    }
}
