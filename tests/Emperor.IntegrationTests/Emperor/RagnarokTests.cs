using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>The Emperor's end: Ragnarok on SIGTERM/SIGINT (spec §3.8), and nothing left when it is SIGKILLed.</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class RagnarokTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(Signals.Sigterm)]
    [InlineData(Signals.Sigint)]
    public Task Signal_TermOrInt_StopsEveryVassalAndExitsZeroBuried(int signal) => EmperorScenario.RunAsync("ragnarok", async s =>
    {
        var emperor = await s.StartEmperorAsync("--reload-mercy", "2");
        s.WriteVassal("p.ini", VassalFile.TestVassal("--protocol", "--send", "1"));
        s.WriteVassal("s.ini", VassalFile.Sleep(100003));
        var ready = s.PathOf("i.report");
        s.WriteVassal("i.ini", VassalFile.TestVassal("--ignore-sigterm", "--report", ready));
        var stats = await emperor.WaitForStatsAsync(
            x => x.Vassals.Count == 3 && x.Vassals.All(v => v.IsRunning), EmperorScenario.Prompt, "three running vassals", s.Cancel);
        var pids = stats.Vassals.Select(v => v.Pid).ToList();

        // "Running" is the spawn; the test vassal installs its SIGTERM handler a moment later. A SIGTERM before that
        // kills it, and then there is nothing for Ragnarok's mercy to end (it failed so under load). Its report is
        // written once the handlers are set (a caught-SIGTERM mask is no sign: the vassal role before its exec, and
        // the .NET runtime of the test vassal before its handler, have one too).
        await Wait.UntilAsync(() => File.Exists(ready), EmperorScenario.Prompt, "i.ini's report (its SIGTERM handler set)", s.Cancel);

        var clock = Stopwatch.StartNew();
        Assert.True(emperor.Signal(signal));
        await emperor.WaitForExitAsync(EmperorScenario.Prompt, s.Cancel);
        var exited = clock.Elapsed;

        Assert.Equal(0, emperor.ExitCode);
        await emperor.WaitForLineAsync("The Emperor is buried.", EmperorScenario.Prompt, s.Cancel);
        Assert.NotEmpty(emperor.LinesContaining("RAGNAROK EVOKED"));
        Assert.NotEmpty(emperor.LinesContaining("NO MERCY for vassal i.ini"));
        await Wait.UntilAsync(() => pids.All(pid => !ProcessTree.IsRunning(pid)), TimeSpan.FromSeconds(5), "every vassal to be gone", s.Cancel);
        Assert.True(exited < TimeSpan.FromSeconds(8), $"Ragnarok took {exited.TotalSeconds:0.00} s with --reload-mercy 2");
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Sigkill_Emperor_EveryVassalAndGrandchildGoneWithinSeconds() => EmperorScenario.RunAsync("sigkill", async s =>
    {
        var reportPath = s.PathOf("g.report");
        var emperor = await s.StartEmperorAsync();
        s.WriteVassal("s.ini", VassalFile.Sleep(100004));
        s.WriteVassal("p.ini", VassalFile.TestVassal("--protocol", "--send", "1"));
        s.WriteVassal("g.ini", VassalFile.TestVassal("--spawn-child", "--report", reportPath));
        var stats = await emperor.WaitForStatsAsync(
            x => x.Vassals.Count == 3 && x.Vassals.All(v => v.IsRunning), EmperorScenario.Prompt, "three running vassals", s.Cancel);
        var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(reportPath), EmperorScenario.Prompt, "g.ini's report", s.Cancel);
        var grandchild = report.ChildPid ?? throw new InvalidOperationException("testvassal --spawn-child reported no child");
        var everyone = stats.Vassals.Select(v => v.Pid).Append(grandchild).ToList();
        Assert.True(ProcessTree.IsRunning(grandchild));

        Assert.True(emperor.Signal(Signals.Sigkill));
        await emperor.WaitForExitAsync(EmperorScenario.Prompt, s.Cancel);
        try
        {
            await Wait.UntilAsync(() => everyone.All(pid => !ProcessTree.IsRunning(pid)), TimeSpan.FromSeconds(5), "every vassal and the grandchild to be gone", s.Cancel);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " Still running:" + string.Concat(everyone.Where(ProcessTree.IsRunning).Select(pid => "\n  " + ProcessTree.Describe(pid))), e);
        }
    }, TestContext.Current.CancellationToken);
}
