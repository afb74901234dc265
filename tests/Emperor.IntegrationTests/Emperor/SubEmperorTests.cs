using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// A vassal that is itself an Emperor (<c>emperor = DIR</c> in its file), run by the default vassal binary (our
/// own executable): uWSGI runs such a sub-Emperor, which announces loyalty (byte 17) at once (spec §5) and
/// governs its own vassals, which go away with it.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class SubEmperorTests
{
    [Fact(Timeout = 60_000)]
    public Task SubEmperor_VassalFileWithEmperorOption_GovernsItsOwnVassals() => EmperorScenario.RunAsync("sub-emperor", async s =>
    {
        var inner = Directory.CreateDirectory(s.PathOf("inner-vassals")).FullName;
        var reportPath = s.PathOf("inner.report");
        s.WriteVassal("inner.ini", VassalFile.TestVassal("--report", reportPath), inner);
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("sub.ini", $"[uwsgi]\nemperor = {inner}\n");

        var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(reportPath), EmperorScenario.Prompt, "the sub-Emperor's vassal to start", s.Cancel);
        var stats = await emperor.WaitForStatsAsync(x => x.RunningPid("sub.ini") is not null, EmperorScenario.Prompt, "sub.ini running", s.Cancel);
        var sub = stats.RunningPid("sub.ini")!.Value;
        Assert.Equal(sub, report.ParentPid);
        Assert.True(ProcessTree.IsRunning(report.Pid));

        await emperor.WaitForStatsAsync(x => x.Vassal("sub.ini") is { Loyal: 1 }, EmperorScenario.Prompt, "the sub-Emperor to be loyal (byte 17 at start)", s.Cancel);

        File.Delete(path);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(sub) && !ProcessTree.IsRunning(report.Pid), EmperorScenario.Prompt, "the sub-Emperor and its vassal to be gone", s.Cancel);
    }, TestContext.Current.CancellationToken);
}
