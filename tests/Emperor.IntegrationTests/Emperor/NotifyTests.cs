using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>sd_notify from vassals on NOTIFY_SOCKET (README "What a vassal gets"): READY=1, STATUS=, WATCHDOG=1.</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class NotifyTests
{
    [Fact(Timeout = 60_000)]
    public Task SdNotify_ReadyAndStatus_LoyalWithStatusInStats() => EmperorScenario.RunAsync("notify", async s =>
    {
        var emperor = await s.StartEmperorAsync("--emperor-loyal-after", "0");
        s.WriteVassal("n.ini", VassalFile.TestVassal("--notify", "READY=1", "--notify", "STATUS=serving 42 requests"));
        s.WriteVassal("quiet.ini", VassalFile.Sleep(100011));

        var stats = await emperor.WaitForStatsAsync(
            x => x.Vassal("n.ini") is { Loyal: 1, Status: "serving 42 requests" }, EmperorScenario.Prompt, "n.ini loyal with its status", s.Cancel);
        Assert.Equal(1, stats.Vassal("n.ini")!.Ready);
        await emperor.WaitForLineAsync("vassal n.ini is now loyal", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal(0, (await emperor.WaitForStatsAsync(x => x.RunningPid("quiet.ini") is not null, EmperorScenario.Prompt, "quiet.ini", s.Cancel)).Vassal("quiet.ini")!.Loyal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Watchdog_ThenSilence_RestartedAfterRequiredHeartbeat() => EmperorScenario.RunAsync("watchdog", async s =>
    {
        var emperor = await s.StartEmperorAsync("--emperor-required-heartbeat", "2");
        s.WriteVassal("quiet.ini", VassalFile.Sleep(100012));
        s.WriteVassal("w.ini", VassalFile.TestVassal("--notify", "WATCHDOG=1"));
        var first = await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Prompt, s.Cancel);
        var quiet = await emperor.WaitForRunningPidAsync("quiet.ini", EmperorScenario.Prompt, s.Cancel);

        var clock = Stopwatch.StartNew();
        var second = await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Slow, pid => pid != first, s.Cancel);
        var after = clock.Elapsed;

        Assert.True(after >= TimeSpan.FromSeconds(1.5), $"restarted {after.TotalSeconds:0.00} s after it started: before the 2 s heartbeat deadline");
        await emperor.WaitForLineAsync("sent no heartbeat in last 2 seconds", EmperorScenario.Prompt, s.Cancel);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(first), EmperorScenario.Prompt, "the hung instance to be gone", s.Cancel);
        Assert.True(ProcessTree.IsRunning(second));
        Assert.Equal(quiet, (await emperor.StatsAsync(s.Cancel)).RunningPid("quiet.ini")); // never heartbeated: never watched
    }, TestContext.Current.CancellationToken);
}
