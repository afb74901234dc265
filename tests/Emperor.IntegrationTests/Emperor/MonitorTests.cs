using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>Imperial monitors (spec §2): glob://, several sources, entries that cannot be vassals, save-by-rename.</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class MonitorTests
{
    [Fact(Timeout = 60_000)]
    public Task GlobAndDirectory_TwoSources_BothGovernedSeparately() => EmperorScenario.RunAsync("glob", async s =>
    {
        var globbed = Directory.CreateDirectory(s.PathOf("globbed")).FullName;
        var pattern = Path.Combine(globbed, "*.ini");
        var globReport = s.PathOf("g.report");
        var dirReport = s.PathOf("d.report");
        var globVassal = s.WriteVassal("g.ini", VassalFile.TestVassal("--report", globReport), globbed);
        s.WriteVassal("d.ini", VassalFile.TestVassal("--report", dirReport));
        s.WriteVassal("notes.txt", VassalFile.Sleep(100007), globbed);

        var emperor = await s.StartEmperorWithAsync(["--emperor", "glob://" + pattern, "--emperor", s.VassalDir]);
        var stats = await emperor.WaitForStatsAsync(
            x => x.RunningPid(globVassal) is not null && x.RunningPid("d.ini") is not null, EmperorScenario.Prompt, "both vassals running", s.Cancel);

        Assert.Equal([pattern, s.VassalDir], stats.Sources);
        Assert.Equal(2, stats.Vassals.Count);
        Assert.Equal(pattern, stats.Vassal(globVassal)!.Monitor);
        Assert.Equal(s.VassalDir, stats.Vassal("d.ini")!.Monitor);

        // cwd: the Emperor's start-up directory for glob://, the directory itself for dir:// (spec §10.4).
        var g = await Wait.ForValueAsync(() => ReportFile.TryLoad(globReport), EmperorScenario.Prompt, "g.ini's report", s.Cancel);
        var d = await Wait.ForValueAsync(() => ReportFile.TryLoad(dirReport), EmperorScenario.Prompt, "d.ini's report", s.Cancel);
        Assert.Equal(s.Root.Path, g.WorkingDirectory);
        Assert.Equal(s.VassalDir, d.WorkingDirectory);

        // A new match of the pattern is spawned; removing one stops only that one.
        var second = s.WriteVassal("h.ini", VassalFile.Sleep(100008), globbed);
        await emperor.WaitForRunningPidAsync(second, EmperorScenario.Prompt, s.Cancel);
        var dirPid = stats.RunningPid("d.ini")!.Value;
        File.Delete(globVassal);
        await emperor.WaitForStatsAsync(x => x.Vassal(globVassal) is null, EmperorScenario.Prompt, "g.ini to be stopped and gone", s.Cancel);
        var after = await emperor.StatsAsync(s.Cancel);
        Assert.Equal(dirPid, after.RunningPid("d.ini"));
        Assert.NotNull(after.RunningPid(second));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task SpecialEntries_NamedLikeVassals_LoggedOnceEachAndNeverStarted() => EmperorScenario.RunAsync("special", async s =>
    {
        Directory.CreateDirectory(s.VassalPath("adir.ini"));
        await MakeFifoAsync(s.Guard, s.VassalPath("afifo.ini"));
        File.CreateSymbolicLink(s.VassalPath("dangling.ini"), s.PathOf("nowhere.ini"));
        s.WriteVassal("good.ini", VassalFile.Sleep(100009));

        var emperor = await s.StartEmperorAsync("--emperor-freq", "1");
        var good = await emperor.WaitForRunningPidAsync("good.ini", EmperorScenario.Prompt, s.Cancel);
        string[] special = ["adir.ini: it is a directory", "afifo.ini: it is a FIFO", "dangling.ini: it is a dangling symbolic link"];
        foreach (var fragment in special)
        {
            await emperor.WaitForLineAsync(fragment, EmperorScenario.Prompt, s.Cancel);
        }

        // A SIGWINCH rescan, an inotify-driven one and two periodic ones (--emperor-freq 1) later (the stats count
        // completed scans; waiting on them fails if the Emperor exits):
        var before = (await emperor.StatsAsync(s.Cancel)).Scans;
        Assert.True(emperor.Signal(Signals.Sigwinch));
        s.WriteVassal("other.ini", VassalFile.Sleep(100010));
        await emperor.WaitForRunningPidAsync("other.ini", EmperorScenario.Prompt, s.Cancel);
        await emperor.WaitForStatsAsync(x => x.Scans >= before + 4, EmperorScenario.Slow, "four scans after the SIGWINCH", s.Cancel);

        foreach (var fragment in special)
        {
            Assert.Single(emperor.LinesContaining(fragment));
        }

        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Equal(["good.ini", "other.ini"], stats.Vassals.Select(v => v.Id).Order(StringComparer.Ordinal));
        Assert.Equal(good, stats.RunningPid("good.ini"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task SaveByRename_Config_IsAReloadNotAStopAndSpawn() => EmperorScenario.RunAsync("save-rename", async s =>
    {
        var reportPath = s.PathOf("p.report");
        var emperor = await s.StartEmperorAsync();
        var command = VassalFile.TestVassal("--protocol", "--send", "1", "--report", reportPath);
        var path = s.WriteVassal("p.ini", command);
        var before = await ReloadTests.SpokenAsync(s, emperor, "p.ini", reportPath);

        // An editor's atomic save: write a temp file, rename it over the config.
        var mark = emperor.Mark();
        s.WriteAtomically(path, "; edited\n" + command);
        await emperor.WaitForLineAsync("testvassal: received byte 1", EmperorScenario.Prompt, mark, s.Cancel);
        var stats = await emperor.WaitForStatsAsync(x => x.Vassal("p.ini") is { Respawns: 1 }, EmperorScenario.Prompt, "p.ini reloaded once", s.Cancel);
        Assert.Equal(before.Pid, stats.RunningPid("p.ini"));
        Assert.Equal(0, stats.Vassal("p.ini")!.Restarts);

        // Another editor's save: move the old file aside, write a new one under the name.
        File.Move(path, path + "~");
        File.WriteAllText(path, "; edited again\n" + command);
        await Wait.UntilAsync(() => emperor.LinesContaining("testvassal: received byte 1", mark).Count >= 2, EmperorScenario.Prompt, "a second reload byte", s.Cancel);
        stats = await emperor.WaitForStatsAsync(x => x.Vassal("p.ini") is { Respawns: 2 }, EmperorScenario.Prompt, "p.ini reloaded twice", s.Cancel);
        Assert.Equal(before.Pid, stats.RunningPid("p.ini"));
        Assert.Equal(0, stats.Vassal("p.ini")!.Restarts);
        Assert.Empty(emperor.LinesContaining("stop the uwsgi instance p.ini", mark));
        Assert.Empty(emperor.LinesContaining("removed uwsgi instance p.ini", mark));
    }, TestContext.Current.CancellationToken);

    private static async Task MakeFifoAsync(LeakGuard guard, string path)
    {
        await using var mkfifo = TestProcess.Start(guard, "mkfifo", [path]);
        Assert.True(await mkfifo.WaitForExitAndOutputAsync(Deadlines.Child) == 0, mkfifo.Output);
    }
}
