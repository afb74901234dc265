using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// Bad configs cost nothing (issue #17 §1), end to end: a vassal file its vassal role would refuse is read by the
/// Emperor before it spawns, costs one line and no process until it changes, and runs once it is fixed.
/// </summary>
public sealed class BadConfigTests
{
    [Fact(Timeout = 60_000)]
    public Task BrokenIni_OneLine_NoSpawnOverManyScans_ThenFixed_Runs() => EmperorScenario.RunAsync("bad-config", async s =>
    {
        const string Spawned = "vassal broken.ini has been spawned (pid:";
        var emperor = await s.StartEmperorAsync("--emperor-freq", "1", "--emperor-throttle", "0");
        var good = VassalFile.Sleep(100001);
        var path = s.WriteVassal("broken.ini", good.Replace("[uwsgi]\n", "[uwsgi]\nx = @(/nonexistent/a.ini)\ny = @(/nonexistent/b.ini)\n", StringComparison.Ordinal));

        var line = await emperor.WaitForLineAsync("broken.ini: not started: 2:1 cannot read configuration '/nonexistent/a.ini'", EmperorScenario.Prompt, s.Cancel);
        Assert.EndsWith("(and 1 more); waiting for the file to change", line.Text, StringComparison.Ordinal);
        await emperor.WaitForStatsAsync(x => x.Vassal("broken.ini") is { State: "exiled", Pid: -1 }, EmperorScenario.Prompt, "broken.ini to wait as exiled", s.Cancel);

        // Three periodic rescans (--emperor-freq 1) later: still no process, still one line.
        var before = (await emperor.StatsAsync(s.Cancel)).Scans;
        await emperor.WaitForStatsAsync(
            x =>
            {
                Assert.Equal("exiled", x.Vassal("broken.ini")?.State);
                return x.Scans >= before + 3;
            },
            EmperorScenario.Slow,
            "three scans",
            s.Cancel);
        Assert.Empty(emperor.LinesContaining(Spawned));
        Assert.Single(emperor.LinesContaining("not started"));
        Assert.Empty(emperor.LinesContaining("cannot read configuration '/nonexistent/b.ini'")); // the vassal role never ran

        s.WriteAtomically(path, good);
        await Wait.UntilAsync(() => emperor.LinesContaining(Spawned).Count == 1, EmperorScenario.Prompt, "broken.ini to be spawned once fixed", s.Cancel);
        await emperor.WaitForStatsAsync(x => x.Vassal("broken.ini") is { State: "running", Pid: > 0 }, EmperorScenario.Prompt, "the fixed vassal running", s.Cancel);
        Assert.Single(emperor.LinesContaining("not started"));
    }, TestContext.Current.CancellationToken);
}
