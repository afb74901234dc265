using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>Vassals that die: respawn, the blacklist for crash loops, SIGURG, exit code 26 (spec §3.6, §4).</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class RespawnTests
{
    [Fact(Timeout = 60_000)]
    public Task KillNine_Vassal_Respawned() => EmperorScenario.RunAsync("kill9", async s =>
    {
        var emperor = await s.StartEmperorAsync();
        s.WriteVassal("k.ini", VassalFile.Sleep(100002));
        var first = await emperor.WaitForRunningPidAsync("k.ini", EmperorScenario.Prompt, s.Cancel);

        var clock = Stopwatch.StartNew();
        Assert.True(ProcessTree.Kill(first, Signals.Sigkill));
        var second = await emperor.WaitForRunningPidAsync("k.ini", EmperorScenario.Prompt, pid => pid != first, s.Cancel);

        var respawned = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"respawned as pid {second} {respawned.TotalMilliseconds:0} ms after kill -9");
        Assert.True(respawned < TimeSpan.FromSeconds(2), $"respawned only {respawned.TotalSeconds:0.00} s after kill -9 (a first death by an outside signal waits for nothing)");
        Assert.False(ProcessTree.IsRunning(first));
        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Equal(9, stats.Vassal("k.ini")!.LastExitSignal);
        Assert.Equal(1, stats.Vassal("k.ini")!.Restarts);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task CrashLoop_Vassal_BlacklistedWithGrowingDelaysUntilSigurg() => EmperorScenario.RunAsync("crashloop", async s =>
    {
        const string Spawned = "vassal c.ini has been spawned (pid:";
        var emperor = await s.StartEmperorAsync("--emperor-throttle", "500", "--emperor-max-throttle", "2000");
        s.WriteVassal("c.ini", VassalFile.TestVassal("--exit", "1"));

        // Watch the blacklist entry grow, one death at a time.
        var levels = new SortedDictionary<int, long>();
        BlacklistStat? entry = null;
        int? fdsAtFirstDeath = null;
        await emperor.WaitForStatsAsync(
            x =>
            {
                if (x.BlacklistEntry("c.ini") is { } b)
                {
                    entry = b;
                    levels[b.Attempt] = b.ThrottleLevel;
                    fdsAtFirstDeath ??= emperor.FdCount;
                }

                return entry is { Attempt: >= 4 };
            },
            EmperorScenario.Slow,
            "the blacklist entry of c.ini to reach 4 attempts",
            s.Cancel);

        var sequence = string.Join(", ", levels.Select(kv => $"attempt {kv.Key}: {kv.Value} ms"));
        Assert.True(levels.Count >= 3, $"saw too few blacklist steps: {sequence}");
        Assert.True(levels.Values.Zip(levels.Values.Skip(1)).All(p => p.Second > p.First), $"the delay does not grow: {sequence}");
        Assert.Contains("blacklisted", entry!.Reason, StringComparison.Ordinal);
        Assert.Contains("exit code 1", entry.Reason, StringComparison.Ordinal);

        // The spawns themselves are further and further apart.
        await Wait.UntilAsync(() => emperor.LinesContaining(Spawned).Count >= 4, EmperorScenario.Prompt, "four spawn lines", s.Cancel);
        var times = emperor.LinesContaining(Spawned).Select(l => l.At).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        var gapText = string.Join(", ", gaps.Select(g => $"{g.TotalSeconds:0.00} s"));
        Assert.True(gaps.Count >= 3, $"too few respawns: {gapText}");
        Assert.True(gaps[1] > gaps[0] + TimeSpan.FromMilliseconds(250) && gaps[2] > gaps[1] + TimeSpan.FromMilliseconds(250), $"respawn intervals do not grow: {gapText}");

        // SIGURG empties the blacklist: the waiting vassal is started at once, and its next death starts afresh.
        var mark = emperor.Mark();
        var spawnsBefore = emperor.LinesContaining(Spawned).Count;
        var clock = Stopwatch.StartNew();
        Assert.True(emperor.Signal(Signals.Sigurg));
        await emperor.WaitForLineAsync("cleaning up blacklist", EmperorScenario.Prompt, mark, s.Cancel);
        await Wait.UntilAsync(() => emperor.LinesContaining(Spawned).Count > spawnsBefore, EmperorScenario.Prompt, "a spawn after SIGURG", s.Cancel);
        var pardonedAfter = clock.Elapsed;
        Assert.True(pardonedAfter < TimeSpan.FromMilliseconds(1500), $"spawned {pardonedAfter.TotalSeconds:0.00} s after SIGURG: it still waited out its 2 s blacklist delay");
        var fresh = await emperor.WaitForStatsAsync(
            x => x.BlacklistEntry("c.ini") is { } b && b.Attempt < entry.Attempt, EmperorScenario.Prompt, "a fresh blacklist entry after SIGURG", s.Cancel);
        Assert.Equal(1, fresh.BlacklistEntry("c.ini")!.Attempt);

        var fdsNow = emperor.FdCount;
        Assert.True(fdsNow <= fdsAtFirstDeath + 5, $"the Emperor's fds grew during the crash loop: {fdsAtFirstDeath} -> {fdsNow}");
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task ExitCode26_Vassal_NotRespawnedUntilTouched() => EmperorScenario.RunAsync("exile", async s =>
    {
        const string Spawned = "vassal x.ini has been spawned (pid:";
        var emperor = await s.StartEmperorAsync("--emperor-freq", "1");
        var path = s.WriteVassal("x.ini", VassalFile.TestVassal("--exit", "26"));
        await emperor.WaitForLineAsync("exited with code 26", EmperorScenario.Prompt, s.Cancel);
        await emperor.WaitForStatsAsync(x => x.Vassal("x.ini") is { State: "exiled", Pid: -1 }, EmperorScenario.Prompt, "x.ini to be exiled", s.Cancel);

        // A SIGWINCH rescan and two periodic rescans (--emperor-freq 1) later it is still not started again: the
        // stats count completed scans, and every snapshot on the way must show it exiled.
        var before = (await emperor.StatsAsync(s.Cancel)).Scans;
        Assert.True(emperor.Signal(Signals.Sigwinch));
        await emperor.WaitForStatsAsync(
            x =>
            {
                Assert.Equal("exiled", x.Vassal("x.ini")?.State);
                return x.Scans >= before + 3;
            },
            EmperorScenario.Slow,
            "three scans after the SIGWINCH",
            s.Cancel);

        Assert.Single(emperor.LinesContaining(Spawned));

        EmperorScenario.Touch(path);
        await Wait.UntilAsync(() => emperor.LinesContaining(Spawned).Count == 2, EmperorScenario.Prompt, "x.ini to be spawned again after the touch", s.Cancel);
    }, TestContext.Current.CancellationToken);
}
