using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>A vassal file touched: a protocol vassal is reloaded in place (byte 1), a foreign one restarted (spec §3.3).</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class ReloadTests
{
    private const string ReceivedReload = "testvassal: received byte 1";

    [Fact(Timeout = 60_000)]
    public Task Touch_ProtocolVassal_GetsReloadByteAndKeepsItsPid() => EmperorScenario.RunAsync("touch-protocol", async s =>
    {
        var reportPath = s.PathOf("p.report");
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("p.ini", VassalFile.TestVassal("--protocol", "--send", "1", "--report", reportPath));
        var before = await SpokenAsync(s, emperor, "p.ini", reportPath);

        var mark = emperor.Mark();
        EmperorScenario.Touch(path);
        await emperor.WaitForLineAsync(ReceivedReload, EmperorScenario.Prompt, mark, s.Cancel);
        var after = await Wait.ForValueAsync(
            () => ReportFile.TryLoad(reportPath) is { } r && r.ExecId != before.ExecId ? r : null, EmperorScenario.Prompt, "the re-executed vassal's report", s.Cancel);

        Assert.Equal(before.Pid, after.Pid);
        var stats = await emperor.WaitForStatsAsync(x => x.Vassal("p.ini") is { Respawns: 1 }, EmperorScenario.Prompt, "respawns 1", s.Cancel);
        var vassal = stats.Vassal("p.ini")!;
        Assert.Equal(before.Pid, vassal.Pid);
        Assert.Equal(0, vassal.Restarts);
        Assert.Single(emperor.LinesContaining("reload the uwsgi instance p.ini", mark));
        Assert.Empty(emperor.LinesContaining("stop the uwsgi instance p.ini", mark));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task TwoTouches_WithinOneWallClockSecond_ReloadTwice() => EmperorScenario.RunAsync("touch-twice", async s =>
    {
        var reportPath = s.PathOf("p.report");
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("p.ini", VassalFile.TestVassal("--protocol", "--send", "1", "--report", reportPath));
        var before = await SpokenAsync(s, emperor, "p.ini", reportPath);

        // Both mtimes fall in the same whole second: an Emperor comparing seconds (uWSGI 2.0) sees only the first.
        var second = DateTime.UnixEpoch.AddSeconds(Math.Floor((DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds) + 30);
        var mark = emperor.Mark();
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(100));
        await emperor.WaitForLineAsync(ReceivedReload, EmperorScenario.Prompt, mark, s.Cancel);
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(300));
        await Wait.UntilAsync(
            () => emperor.LinesContaining(ReceivedReload, mark).Count >= 2, EmperorScenario.Prompt, "a second reload byte at the vassal", s.Cancel);

        var stats = await emperor.WaitForStatsAsync(x => x.Vassal("p.ini") is { Respawns: 2 }, EmperorScenario.Prompt, "respawns 2", s.Cancel);
        Assert.Equal(before.Pid, stats.Vassal("p.ini")!.Pid);
        Assert.Equal(2, emperor.LinesContaining("reload the uwsgi instance p.ini", mark).Count);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Touch_ForeignVassal_RestartedWithNewPid() => EmperorScenario.RunAsync("touch-foreign", async s =>
    {
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("s.ini", VassalFile.Sleep(100001));
        var first = await emperor.WaitForRunningPidAsync("s.ini", EmperorScenario.Prompt, s.Cancel);

        EmperorScenario.Touch(path);
        var second = await emperor.WaitForRunningPidAsync("s.ini", EmperorScenario.Prompt, pid => pid != first, s.Cancel);

        await Wait.UntilAsync(() => !ProcessTree.IsRunning(first), EmperorScenario.Prompt, $"the old instance (pid {first}) to be gone", s.Cancel);
        Assert.True(ProcessTree.IsRunning(second));
        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Equal(1, stats.Vassal("s.ini")!.Restarts);
    }, TestContext.Current.CancellationToken);

    /// <summary>Waits until the vassal runs, wrote its report and the Emperor knows it speaks the protocol.</summary>
    internal static async Task<ReportFile> SpokenAsync(EmperorScenario s, EmperorProcess emperor, string id, string reportPath)
    {
        await emperor.WaitForStatsAsync(x => x.Vassal(id) is { IsRunning: true, SpeaksProtocol: true }, EmperorScenario.Prompt, $"{id} to run and speak the protocol", s.Cancel);
        return await Wait.ForValueAsync(() => ReportFile.TryLoad(reportPath), EmperorScenario.Prompt, $"{id}'s report", s.Cancel);
    }
}
