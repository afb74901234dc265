using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// The Emperor as PID 1 of a container (<c>unshare -pf --mount-proc</c>, issue #12 §2): the runtime would reap every
/// child with waitpid(-1) as PID 1; a minimal init in front of the Emperor keeps every vassal's real exit status,
/// reaps the orphans the kernel reparents to PID 1, forwards SIGTERM, and exits with the Emperor's status.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class Pid1Tests
{
    [Fact(Timeout = 90_000)]
    public Task AsPid1_ExitStatusesAreKept_OrphansReaped_SigtermIsRagnarok() => EmperorScenario.RunAsync("pid1", async s =>
    {
        Assert.True(File.Exists("/usr/bin/unshare"), "unshare (util-linux) is missing");
        s.WriteVassal("e.ini", VassalFile.Command("sleep 0.3; exit 3"));
        s.WriteVassal("o.ini", VassalFile.Command("(sleep 0.5 &); exec sleep 100207"));
        var unshare = await s.StartEmperorWithAsync(["--emperor", s.VassalDir, "--emperor-throttle", "5000"], wrapper: ["unshare", "-pf", "--mount-proc"]);

        // Pids in the stats are the namespace's; the exit status is the real one, not "unknown".
        var stats = await unshare.WaitForStatsAsync(st => st.Vassal("e.ini") is { LastExitCode: 3 }, EmperorScenario.Slow, "e.ini's exit code 3", s.Cancel);
        Assert.Null(stats.Vassal("e.ini")!.LastExitSignal);
        Assert.NotEqual(1, stats.Pid); // the Emperor runs behind the init that is PID 1
        await unshare.WaitForStatsAsync(st => st.RunningPid("o.ini") is not null, EmperorScenario.Prompt, "o.ini running", s.Cancel);

        // The orphaned `sleep 0.5` went to PID 1 and was reaped: nothing in the namespace is a zombie.
        var init = Assert.Single(ProcessTree.Children(unshare.Pid));
        await Wait.UntilAsync(
            () => ProcessTree.Descendants(init).All(p => !ProcessTree.Describe(p).Contains("sleep 0.5", StringComparison.Ordinal)),
            EmperorScenario.Slow,
            "the orphan to end",
            s.Cancel);
        Assert.DoesNotContain(ProcessTree.Descendants(init), p => ProcessTree.TryReadStat(p) is { IsZombie: true });

        // SIGTERM to PID 1 reaches the Emperor: Ragnarok, exit 0, nothing left.
        var inside = ProcessTree.Descendants(init);
        Assert.True(ProcessTree.Kill(init, Signals.Sigterm));
        await unshare.WaitForExitAsync(EmperorScenario.Slow, s.Cancel);
        Assert.Equal(0, unshare.ExitCode);
        Assert.Contains(unshare.Lines, l => l.Text.Contains("The Emperor is buried.", StringComparison.Ordinal));
        Assert.All(inside, p => Assert.False(ProcessTree.IsRunning(p), ProcessTree.Describe(p)));
    }, TestContext.Current.CancellationToken);
}
