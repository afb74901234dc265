using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// Touch storms (peer PROFILE-NEXT #17): every touch of a foreign vassal is a restart, yet afterwards there must be
/// exactly one process per config, no zombie, and no fd the Emperor forgot to close.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class StormTests
{
    [Fact(Timeout = 60_000)]
    public Task RapidTouches_OneConfig_EndWithExactlyOneVassal() => EmperorScenario.RunAsync("touch-storm", async s =>
    {
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("s.ini", VassalFile.Sleep(300001));
        await emperor.WaitForRunningPidAsync("s.ini", EmperorScenario.Prompt, s.Cancel);
        var fdsBefore = await SettledFdCountAsync(emperor, s.Cancel);

        for (var i = 0; i < 200; i++)
        {
            EmperorScenario.Touch(path);
        }

        await SettledAsync(s, emperor, [("s.ini", 300001)]);
        await AssertCleanAsync(emperor, fdsBefore, s.Cancel);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task ReloadStorm_TwentyConfigs_EndWithOneVassalEach() => EmperorScenario.RunAsync("reload-storm", async s =>
    {
        const int Count = 20;

        // Present at start-up, so the first scan spawns them all at once (configs dropped into a running Emperor
        // would be spread out by the spawn throttle, ~1.5 s apart with the default --emperor-throttle 1000).
        var paths = Enumerable.Range(0, Count).Select(i => s.WriteVassal($"v{i:00}.ini", VassalFile.Sleep(300100 + i))).ToList();
        var emperor = await s.StartEmperorAsync();
        await emperor.WaitForStatsAsync(x => x.Vassals.Count(v => v.IsRunning) == Count, EmperorScenario.Slow, $"{Count} running vassals", s.Cancel);
        var fdsBefore = await SettledFdCountAsync(emperor, s.Cancel);

        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < Count; i++)
            {
                EmperorScenario.Touch(paths[i]);
            }

            await Task.Delay(50, s.Cancel); // a storm spread over half a second, as a deploy loop would make it
        }

        await SettledAsync(s, emperor, [.. Enumerable.Range(0, Count).Select(i => ($"v{i:00}.ini", 300100 + i))]);
        await AssertCleanAsync(emperor, fdsBefore, s.Cancel);
    }, TestContext.Current.CancellationToken);

    /// <summary>
    /// Waits until every vassal was restarted by the storm and runs again, then until the process table agrees
    /// (see <see cref="ProcessProblem"/>).
    /// </summary>
    private static async Task SettledAsync(EmperorScenario s, EmperorProcess emperor, IReadOnlyList<(string Id, int Seconds)> vassals)
    {
        await emperor.WaitForStatsAsync(
            x => vassals.All(v => x.Vassal(v.Id) is { IsRunning: true, Reason: "running" } stat && stat.Restarts >= 1),
            EmperorScenario.Slow,
            "every vassal restarted and running again after the storm",
            s.Cancel);

        var clock = Stopwatch.StartNew();
        while (ProcessProblem(s, emperor, await emperor.StatsAsync(s.Cancel), vassals) is { } problem)
        {
            if (clock.Elapsed > EmperorScenario.Prompt)
            {
                throw new TimeoutException($"Not exactly one process per config {EmperorScenario.Prompt.TotalSeconds} s after the storm settled:\n{problem}{emperor.Tail()}");
            }

            await Task.Delay(50, s.Cancel);
        }
    }

    /// <summary>
    /// Null when every config has exactly one live <c>sleep N</c> process of the test (anywhere in the process
    /// table, so an orphan counts too), it is the pid the stats show and a child of the Emperor, and no other
    /// <c>sleep</c> of the test runs. Helpers of the Emperor's own (not vassals) are not counted.
    /// </summary>
    private static string? ProcessProblem(EmperorScenario s, EmperorProcess emperor, StatsSnapshot stats, IReadOnlyList<(string Id, int Seconds)> vassals)
    {
        var sleeps = s.Guard.FindTagged()
            .Select(pid => (Pid: pid, Command: CommandLine(pid)))
            .Where(p => p.Command.StartsWith("sleep ", StringComparison.Ordinal))
            .ToList();
        var problems = new List<string>();
        foreach (var (id, seconds) in vassals)
        {
            var mine = sleeps.Where(p => p.Command == $"sleep {seconds}").Select(p => p.Pid).ToList();
            var expected = stats.Vassal(id)?.Pid;
            if (mine.Count != 1 || mine[0] != expected || ProcessTree.TryReadStat(mine[0])?.ParentPid != emperor.Pid)
            {
                problems.Add($"{id}: stats pid {expected}, processes:" + string.Concat(mine.Select(pid => "\n  " + ProcessTree.Describe(pid))));
            }
        }

        var known = vassals.Select(v => $"sleep {v.Seconds}").ToHashSet(StringComparer.Ordinal);
        problems.AddRange(sleeps.Where(p => !known.Contains(p.Command)).Select(p => "unexpected: " + ProcessTree.Describe(p.Pid)));
        return problems.Count == 0 ? null : string.Join("\n", problems);
    }

    private static async Task AssertCleanAsync(EmperorProcess emperor, int fdsBefore, CancellationToken cancel)
    {
        await Wait.UntilAsync(() => ProcessTree.ZombieChildren(emperor.Pid).Count == 0, TimeSpan.FromSeconds(5), "no zombie child of the Emperor", cancel);
        var fdsAfter = await SettledFdCountAsync(emperor, cancel);
        Assert.True(fdsAfter <= fdsBefore + 5, $"the Emperor's fd count grew over the storm: {fdsBefore} -> {fdsAfter}:"
            + string.Concat(ProcessTree.OpenFds(emperor.Pid).Select(kv => $"\n  {kv.Key} -> {kv.Value}")));
    }

    /// <summary>The fd count once a stats round trip is over (its connection is closed by then).</summary>
    private static async Task<int> SettledFdCountAsync(EmperorProcess emperor, CancellationToken cancel)
    {
        _ = await emperor.StatsAsync(cancel);
        return emperor.FdCount;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
