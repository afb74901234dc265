using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>A vassal file removed: the vassal is stopped with SIGTERM, and SIGKILLed if it lingers (spec §3.4).</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class StopTests
{
    [Fact(Timeout = 60_000)]
    public Task Remove_ForeignVassal_GetsSigtermAndIsGoneQuickly() => EmperorScenario.RunAsync("remove", async s =>
    {
        var signals = s.PathOf("f.signals");
        var emperor = await s.StartEmperorAsync();
        var ready = s.PathOf("f.report");
        var path = s.WriteVassal("f.ini", VassalFile.TestVassal("--log-signals", signals, "--report", ready));
        var pid = await emperor.WaitForRunningPidAsync("f.ini", EmperorScenario.Prompt, s.Cancel);

        // "Running" means spawned; the report says the program has read its config and set its signal handlers.
        await Wait.UntilAsync(() => File.Exists(ready), EmperorScenario.Prompt, "the vassal's report", s.Cancel);

        var clock = Stopwatch.StartNew();
        File.Delete(path);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), TimeSpan.FromSeconds(5), $"the vassal (pid {pid}) to be gone within 5 s of its removal", s.Cancel);
        var gone = clock.Elapsed;

        Assert.True(File.Exists(signals), "the vassal received no signal it logs (expected SIGTERM)");
        Assert.Equal("TERM", File.ReadAllLines(signals)[0]);
        await emperor.WaitForStatsAsync(x => x.Vassal("f.ini") is null, EmperorScenario.Prompt, "f.ini to leave the stats", s.Cancel);
        TestContext.Current.TestOutputHelper?.WriteLine($"gone {gone.TotalMilliseconds:0} ms after the removal");
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Remove_VassalIgnoringSigterm_SigkilledAfterCurseTolerance() => EmperorScenario.RunAsync("remove-stubborn", async s =>
    {
        var signals = s.PathOf("i.signals");
        var emperor = await s.StartEmperorAsync("--emperor-curse-tolerance", "2");
        var ready = s.PathOf("i.report");
        var path = s.WriteVassal("i.ini", VassalFile.TestVassal("--ignore-sigterm", "--log-signals", signals, "--report", ready));
        var pid = await emperor.WaitForRunningPidAsync("i.ini", EmperorScenario.Prompt, s.Cancel);
        await Wait.UntilAsync(() => File.Exists(ready), EmperorScenario.Prompt, "the vassal's report", s.Cancel);

        var mark = emperor.Mark();
        var clock = Stopwatch.StartNew();
        File.Delete(path);
        await Wait.UntilAsync(() => File.Exists(signals) && File.ReadAllText(signals).Contains("TERM", StringComparison.Ordinal), EmperorScenario.Prompt, "SIGTERM at the vassal", s.Cancel);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), EmperorScenario.Slow, $"the vassal (pid {pid}) to be killed", s.Cancel);
        var gone = clock.Elapsed;

        Assert.True(gone >= TimeSpan.FromSeconds(1.5), $"killed {gone.TotalSeconds:0.00} s after the removal: before the 2 s curse tolerance");
        Assert.True(gone < TimeSpan.FromSeconds(8), $"killed only {gone.TotalSeconds:0.00} s after the removal (tolerance 2 s)");
        await emperor.WaitForLineAsync("NO MERCY for vassal i.ini", EmperorScenario.Prompt, mark, s.Cancel);
        await emperor.WaitForLineAsync("removed uwsgi instance i.ini (pid: " + pid + ", killed by signal 9)", EmperorScenario.Prompt, mark, s.Cancel);
    }, TestContext.Current.CancellationToken);
}
