using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>SIGHUP, SIGUSR1, SIGWINCH to the Emperor (spec §3.7).</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class SignalTests
{
    [Fact(Timeout = 60_000)]
    public Task Sighup_Emperor_ReloadsEveryVassal() => EmperorScenario.RunAsync("sighup", async s =>
    {
        var reportPath = s.PathOf("p.report");
        var emperor = await s.StartEmperorAsync();
        s.WriteVassal("p.ini", VassalFile.TestVassal("--protocol", "--send", "1", "--report", reportPath));
        s.WriteVassal("s.ini", VassalFile.Sleep(100005));
        var before = await ReloadTests.SpokenAsync(s, emperor, "p.ini", reportPath);
        var sleeper = await emperor.WaitForRunningPidAsync("s.ini", EmperorScenario.Prompt, s.Cancel);

        var mark = emperor.Mark();
        Assert.True(emperor.Signal(Signals.Sighup));
        await emperor.WaitForLineAsync("SIGHUP: reloading 2 vassals", EmperorScenario.Prompt, mark, s.Cancel);
        await emperor.WaitForLineAsync("testvassal: received byte 1", EmperorScenario.Prompt, mark, s.Cancel);
        var after = await Wait.ForValueAsync(
            () => ReportFile.TryLoad(reportPath) is { } r && r.ExecId != before.ExecId ? r : null, EmperorScenario.Prompt, "p.ini's re-exec", s.Cancel);
        Assert.Equal(before.Pid, after.Pid);
        var newSleeper = await emperor.WaitForRunningPidAsync("s.ini", EmperorScenario.Prompt, pid => pid != sleeper, s.Cancel);
        Assert.NotEqual(sleeper, newSleeper);
        Assert.Equal(before.Pid, (await emperor.StatsAsync(s.Cancel)).RunningPid("p.ini"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Sigusr1_Emperor_PrintsOneLinePerVassal() => EmperorScenario.RunAsync("sigusr1", async s =>
    {
        string[] names = ["a.ini", "b.ini", "c.ini"];
        var emperor = await s.StartEmperorAsync();
        for (var i = 0; i < names.Length; i++)
        {
            s.WriteVassal(names[i], VassalFile.Sleep(100010 + i));
        }

        await emperor.WaitForStatsAsync(x => names.All(n => x.RunningPid(n) is not null), EmperorScenario.Prompt, "three running vassals", s.Cancel);

        var mark = emperor.Mark();
        Assert.True(emperor.Signal(Signals.Sigusr1));
        await Wait.UntilAsync(
            () => names.All(n => emperor.LinesContaining($"vassal instance {n} (", mark).Count > 0), EmperorScenario.Prompt, "a status line for every vassal", s.Cancel);

        // The loop printed them in one go; a stats round trip after that leaves time for any duplicate to show.
        _ = await emperor.StatsAsync(s.Cancel);
        foreach (var name in names)
        {
            Assert.Single(emperor.LinesContaining($"vassal instance {name} (", mark));
        }

        Assert.Equal(names.Length, emperor.LinesContaining("vassal instance ", mark).Count);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Sigwinch_Emperor_RescansAtOnce() => EmperorScenario.RunAsync("sigwinch", async s =>
    {
        // A change inotify cannot see: the target of a dangling link appears in a directory nobody watches.
        var target = Path.Combine(Directory.CreateDirectory(s.PathOf("elsewhere")).FullName, "w.ini");
        File.CreateSymbolicLink(s.VassalPath("w.ini"), target);
        var emperor = await s.StartEmperorAsync("--emperor-freq", "60");
        await emperor.WaitForLineAsync("w.ini: it is a dangling symbolic link", EmperorScenario.Prompt, s.Cancel);

        // No periodic scan comes within the test (--emperor-freq 60), and no scan may follow the write by itself:
        // the one scan that happens after it is the SIGWINCH one, and it finds the vassal.
        s.WriteAtomically(target, VassalFile.Sleep(100006));
        var before = await emperor.StatsAsync(s.Cancel);
        Assert.Null(before.Vassal("w.ini"));

        Assert.True(emperor.Signal(Signals.Sigwinch));
        await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal(before.Scans + 1, (await emperor.StatsAsync(s.Cancel)).Scans);
    }, TestContext.Current.CancellationToken);
}
