using Emperor.Core;
using Emperor.Core.Vassals;
using Emperor.Testing.Fakes;

namespace Emperor.Hosting.Tests;

/// <summary>
/// <c>--emperor-cgroup</c> in the loop, with fake cgroups: the launch names the vassal's cgroup, every end of its
/// leader kills what is left in it, the cgroup goes with the vassal (retried while its processes are not reaped),
/// and the burial waits for that.
/// </summary>
public sealed class CgroupLoopTests
{
    [Fact]
    public async Task TheLaunchJoinsTheCgroup_ALeadersExitKillsIt_AndItIsRemovedWithTheVassal()
    {
        var cgroups = new FakeCgroups();
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"), null, cgroups, ("emperor-cgroup", "/cg/emperor"), ("emperor-cgroup-opt", "pids.max=10"));
        var launch = Assert.Single(h.Launcher.Launches);

        Assert.Equal(["/cg/emperor/app.ini/cgroup.procs"], launch.Request.CgroupProcs);
        Assert.Contains(new KeyValuePair<string, string>("EMPEROR_CGROUP", "/cg/emperor/app.ini"), launch.Request.Environment);
        Assert.Equal([new KeyValuePair<string, string>("pids.max", "10")], Assert.Single(cgroups.Prepared).Limits);
        var v = await h.VassalAsync("app.ini");
        Assert.Equal("/cg/emperor/app.ini", v!.Cgroup);
        Assert.Equal(4096, v.MemoryCurrent); // read off the loop, for the stats request
        Assert.Equal(1234, v.CpuUsageUsec);

        // A crash: the leader's exit kills what it left in the cgroup (a daemon out of its group), then the respawn.
        cgroups.Populate("app.ini");
        h.Launcher.Exit(launch.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the respawn");
        Assert.Equal(["prepare app.ini", "kill app.ini", "prepare app.ini"], cgroups.Calls);

        // The file goes: stop, the leader exits, the cgroup is killed and removed.
        cgroups.Populate("app.ini");
        var second = h.Launcher.Latest("app.ini")!;
        h.Monitor.Remove("app.ini");
        await h.ScanAsync();
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(60));
        h.Launcher.Exit(second.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), x => x is null, "the record to go");
        Assert.Equal(["prepare app.ini", "kill app.ini", "prepare app.ini", "kill app.ini", "removed app.ini"], cgroups.Calls);
    }

    [Fact]
    public async Task ACgroupStillBusy_IsRetried_AndTheBurialWaitsForIt()
    {
        var cgroups = new FakeCgroups();
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"), null, cgroups, ("emperor-cgroup", "/cg/emperor"));
        var p = h.Launcher.Latest("app.ini")!;
        cgroups.Populate("app.ini");
        cgroups.Busy["app.ini"] = true;

        h.Service.Post(new EmperorEvent.Signal(Signals.Sigterm));
        await h.StatsAsync();
        h.Launcher.Exit(p.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.UntilAsync(() => cgroups.Calls.Contains("remove app.ini"), "a first removal, refused while busy");
        Assert.False(h.Exit.IsCompleted, "buried while a vassal's cgroup was still busy");

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(60));
        Assert.Equal(2, cgroups.Calls.Count(c => c == "remove app.ini"));
        Assert.False(h.Exit.IsCompleted);

        cgroups.Busy.Clear();
        await h.StatsAsync();
        h.Time.Advance(TimeSpan.FromMilliseconds(60)); // the loop ends after this one: no stats round trip
        Assert.Equal(0, await h.Exit.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("removed app.ini", cgroups.Calls[^1]);
        Assert.Equal(["prepare app.ini", "kill app.ini"], cgroups.Calls.Take(2));
    }

    /// <summary>Survivors keep their records, so the final deadline buries; a busy cgroup of another vassal still gets its 2 s.</summary>
    [Fact]
    public async Task TheFinalDeadlineWithSurvivors_StillWaitsForABusyCgroup_ThenBuries()
    {
        var cgroups = new FakeCgroups();
        await using var h = await LoopHarness.StartAsync(m => { m.Write("a.ini"); m.Write("b.ini"); }, null, cgroups, ("emperor-cgroup", "/cg/emperor"), ("reload-mercy", "2"));
        var a = h.Launcher.Latest("a.ini")!;
        cgroups.Populate("a.ini");
        cgroups.Busy["a.ini"] = true;

        h.Service.Post(new EmperorEvent.Signal(Signals.Sigterm));
        await h.StatsAsync();
        h.Launcher.Exit(a.Pid, VassalExit.Killed(Signals.Sigterm)); // b.ini never exits: a survivor
        await LoopHarness.UntilAsync(() => cgroups.Calls.Contains("remove a.ini"), "a.ini's cgroup refused while busy");

        await h.AdvanceAsync(TimeSpan.FromSeconds(2)); // the mercy: SIGKILL to b.ini, which still does not exit
        await h.AdvanceAsync(TimeSpan.FromSeconds(5)); // the final deadline: b.ini reported, the burial waits for a.ini's cgroup
        Assert.False(h.Exit.IsCompleted, "buried at once although a.ini's cgroup was still busy");

        for (var i = 0; i < 40 && !h.Exit.IsCompleted; i++)
        {
            await Task.WhenAny(h.StatsAsync(), h.Exit); // the loop has handled what was posted (or it is over)
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(0, await h.Exit.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(1, h.Log.Count("vassal a.ini: its cgroup /cg/emperor/a.ini is still not empty 2 s after the kill"));
    }
}
