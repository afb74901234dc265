using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>--setsid and --spawn-child: a vassal with a worker-like grandchild, killed as a group.</summary>
public sealed class TestProcessGroupTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task SpawnChild_WithSetsid_GrandchildSharesTheGroupAndDiesWithIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("group");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--setsid", "--spawn-child", "--report", path]);

        var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(path), Deadlines.Child, "the report", cancel);
        var grandchild = report.ChildPid ?? throw new InvalidOperationException("no child= in the report");
        var grandchildStat = ProcessTree.TryReadStat(grandchild) ?? throw new InvalidOperationException("the grandchild is gone");

        Assert.Equal(vassal.Pid, report.ProcessGroup);
        Assert.Equal(vassal.Pid, report.Session);
        Assert.Equal(vassal.Pid, grandchildStat.ParentPid);
        Assert.Equal(vassal.Pid, grandchildStat.ProcessGroup);
        Assert.Equal([grandchild], ProcessTree.Descendants(vassal.Pid));
        Assert.Contains(grandchild, guard.FindTagged()); // the token is inherited

        Assert.True(ProcessTree.KillGroup(report.ProcessGroup, Signals.Sigkill));

        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die with its group", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task SpawnChild_Grandchild_GetsNoneOfTheTestVassalSettings()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("grandchild-env");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--setsid"], [new("TESTVASSAL_SPAWN_CHILD", "1"), new("TESTVASSAL_REPORT", path)]);
        var grandchild = (await Wait.ForValueAsync(() => ReportFile.TryLoad(path), Deadlines.Child, "the report", cancel)).ChildPid!.Value;

        // Otherwise it would spawn, report and notify in turn.
        var environ = await File.ReadAllTextAsync($"/proc/{grandchild}/environ", cancel);
        Assert.DoesNotContain("TESTVASSAL_", environ, StringComparison.Ordinal);
        Assert.Contains(guard.EnvironmentEntry, environ, StringComparison.Ordinal);
        Assert.Empty(ProcessTree.Children(grandchild));

        Assert.True(ProcessTree.KillGroup(vassal.Pid, Signals.Sigkill));
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die with its group", cancel);
    }
}
