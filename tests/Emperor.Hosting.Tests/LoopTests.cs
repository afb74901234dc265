using Emperor.Core;
using Emperor.Core.Protocol;
using Emperor.Core.Vassals;

namespace Emperor.Hosting.Tests;

/// <summary>
/// The Emperor's loop in-process: what it launches, signals and reports for each kind of event. The fakes record
/// everything; the fake clock moves only when a test moves it.
/// </summary>
public sealed class LoopTests
{
    [Fact]
    public async Task A_config_present_at_start_is_launched_with_uwsgis_argv_env_and_cwd()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));

        var launch = Assert.Single(h.Launcher.Launches);
        Assert.Equal(["/usr/bin/emperor", "--ini", "app.ini"], launch.Request.Arguments);
        Assert.Equal("/tmp", launch.Request.WorkingDirectory);
        Assert.Contains(new KeyValuePair<string, string>("UWSGI_SOCKET", "/run/app.sock"), launch.Request.Environment);
        Assert.Null(launch.Request.Uid);
        var v = await h.VassalAsync("app.ini");
        Assert.Equal(launch.Pid, v!.Pid);
        Assert.Equal("running", v.State);
    }

    [Fact]
    public async Task An_app_that_exits_143_is_a_crash_not_a_sigterm_from_outside()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var first = h.Launcher.Latest("app.ini")!;

        h.Launcher.Exit(first.Pid, VassalExit.Exited(143));
        var v = await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v!.State == "waiting", "the crash to be judged");

        Assert.Equal(143, v!.LastExitCode);
        Assert.Null(v.LastExitSignal);
        Assert.Equal(1, h.Launcher.LaunchCount("app.ini")); // blacklisted: it waits, not respawned at once
        Assert.Contains("exit code 143", v.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_sigterm_from_outside_respawns_at_once()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var first = h.Launcher.Latest("app.ini")!;

        h.Launcher.Exit(first.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the respawn");

        var v = await h.VassalAsync("app.ini");
        Assert.Equal(Signals.Sigterm, v!.LastExitSignal);
        Assert.Null(v.LastExitCode);
        Assert.Equal("running", v.State);
    }

    [Fact]
    public async Task A_removed_config_is_stopped_only_after_the_removal_is_confirmed()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var p = h.Launcher.Latest("app.ini")!;

        h.Monitor.Remove("app.ini");
        await h.ScanAsync(); // the coalesced scan sees it missing: not yet confirmed
        Assert.Empty(p.FakeLink.Sent);
        Assert.Equal("running", (await h.VassalAsync("app.ini"))!.State);

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(60)); // the confirming scan
        Assert.Equal([EmperorMessage.Stop], p.FakeLink.Sent);
        Assert.Equal([Signals.Sigterm], p.Signals); // it never spoke the protocol: SIGTERM too
        Assert.Equal("stopping", (await h.VassalAsync("app.ini"))!.State);

        h.Launcher.Exit(p.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v is null, "the record to go");
        Assert.Equal(1, h.Launcher.LaunchCount("app.ini"));
        Assert.True(p.Disposed);
    }

    [Fact]
    public async Task A_save_by_rename_within_the_confirmation_window_is_a_reload_not_a_stop()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var p = h.Launcher.Latest("app.ini")!;
        p.FakeLink.FromVassal(EmperorMessage.Loyal); // speaks the protocol: reloads by byte
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v!.Loyal == 1, "loyalty");

        h.Monitor.Remove("app.ini");
        await h.ScanAsync();
        h.Monitor.Write("app.ini");
        await h.ScanAsync();
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal([EmperorMessage.Reload], p.FakeLink.Sent);
        Assert.Empty(p.Signals);
        Assert.Equal(1, h.Launcher.LaunchCount("app.ini"));
    }

    [Fact]
    public async Task A_vassal_that_never_reads_the_reload_byte_is_restarted()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var p = h.Launcher.Latest("app.ini")!;
        p.FakeLink.Unread = 1;

        h.Monitor.Write("app.ini");
        await h.ScanAsync();
        Assert.Equal([EmperorMessage.Reload], p.FakeLink.Sent);
        await h.AdvanceUntilAsync(() => Task.FromResult(p.Signals.Count > 0), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), "the restart");

        Assert.Equal([Signals.Sigterm], p.Signals);
        h.Launcher.Exit(p.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the new instance");
    }

    [Fact]
    public async Task A_stop_escalates_to_sigkill_of_the_group_after_the_curse_tolerance()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"), ("emperor-curse-tolerance", "5"));
        var p = h.Launcher.Latest("app.ini")!;

        h.Monitor.Remove("app.ini");
        await h.ScanAsync();
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(60));
        Assert.Equal([Signals.Sigterm], p.Signals);

        await h.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Equal([Signals.Sigterm], p.Signals); // still within the tolerance
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal([Signals.Sigterm, Signals.Sigkill], p.Signals);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == EmperorService.DecisionEventBase + (int)VassalLogKind.Kill
            && Equals(e.Fields["Vassal"], "app.ini") && Equals(e.Fields["Pid"], p.Pid));
    }

    [Fact]
    public async Task A_process_that_ignores_sigterm_gets_sigkill_after_one_second()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var p = h.Launcher.Latest("app.ini")!;
        p.IgnoresSigterm = true;

        h.Monitor.Remove("app.ini");
        await h.ScanAsync();
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(60));
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(1100));

        Assert.Equal([Signals.Sigterm, Signals.Sigkill], p.Signals);
    }

    [Fact]
    public async Task Spawns_that_come_together_queue_behind_the_throttle_once_two_fall_within_a_second()
    {
        await using var h = await LoopHarness.StartAsync(null, ("emperor-throttle", "1000"));

        h.Monitor.Write("a.ini", notify: false);
        h.Monitor.Write("b.ini", notify: false);
        h.Monitor.Write("c.ini");
        await h.ScanAsync();

        // a (lone, level 0) and b (level still 0) run; two spawns within a second raise the level to 1 s: c waits.
        var stats = await h.StatsAsync();
        Assert.Equal(2, h.Launcher.Launches.Count);
        Assert.Equal(1000, stats.ThrottleLevel);
        Assert.Equal(["c.ini"], stats.ThrottleQueue);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(900));
        Assert.Equal(2, h.Launcher.Launches.Count);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(150));
        Assert.Equal(3, h.Launcher.Launches.Count);
        Assert.Empty((await h.StatsAsync()).ThrottleQueue);
    }

    [Fact]
    public async Task Configs_present_at_start_are_exempt_from_the_throttle()
    {
        await using var h = await LoopHarness.StartAsync(
            m =>
            {
                for (var i = 0; i < 5; i++)
                {
                    m.Write($"v{i}.ini", notify: false);
                }
            },
            ("emperor-throttle", "1000"));

        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.Launches.Count), n => n == 5, "all five (in slices, without fake time moving)");
    }

    [Fact]
    public async Task Tyrant_mode_never_launches_a_root_owned_config_and_says_so_once()
    {
        await using var h = await LoopHarness.StartAsync(
            m =>
            {
                m.Write("root.ini", uid: 0, gid: 0, notify: false);
                m.Write("user.ini", uid: 1000, gid: 1001, notify: false);
            },
            ("emperor-tyrant", "true"));

        var launch = Assert.Single(h.Launcher.Launches);
        Assert.Equal("user.ini", launch.Request.Arguments[^1]);
        Assert.Equal(1000, launch.Request.Uid);
        Assert.Equal(1001, launch.Request.Gid);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10)); // three periodic rescans
        Assert.Equal(1, h.Log.Count("invalid permissions for vassal root.ini"));
        Assert.Null(await h.VassalAsync("root.ini"));
    }

    [Fact]
    public async Task Tyrant_mode_stops_a_vassal_whose_config_becomes_root_owned_and_restarts_on_a_new_owner()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("a.ini", uid: 1000, gid: 1000), ("emperor-tyrant", "true"));
        var p = h.Launcher.Latest("a.ini")!;

        h.Monitor.Chown("a.ini", 1002, 1002);
        await h.ScanAsync();
        Assert.Equal([Signals.Sigterm], p.Signals); // restart as the new owner
        h.Launcher.Exit(p.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("a.ini")), n => n == 2, "the restart");
        var second = h.Launcher.Latest("a.ini")!;
        Assert.Equal(1002, second.Request.Uid);

        h.Monitor.Chown("a.ini", 0, 0);
        await h.ScanAsync();
        Assert.Equal([Signals.Sigterm], second.Signals);
        h.Launcher.Exit(second.Pid, VassalExit.Killed(Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("a.ini"), v => v is null, "the vassal to be gone");
        await h.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Equal(2, h.Launcher.LaunchCount("a.ini"));
    }

    [Fact]
    public async Task A_failed_launch_is_one_judged_death_not_a_loop()
    {
        await using var h = await LoopHarness.StartAsync();
        h.Launcher.FailWith = "posix_spawn(/x) failed: No such file or directory";

        h.Monitor.Write("app.ini");
        await h.ScanAsync();
        var v = await h.VassalAsync("app.ini");
        Assert.Equal("waiting", v!.State);
        Assert.Equal(1, h.Log.Count("unable to spawn vassal app.ini"));
    }

    [Fact]
    public async Task An_unavailable_source_stops_nothing()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        h.Monitor.Unavailable = true;

        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        var stats = await h.StatsAsync();
        Assert.True(stats.Scans >= 4, $"periodic rescans ran ({stats.Scans})");
        Assert.Equal("running", (await h.VassalAsync("app.ini"))!.State);
        Assert.Empty(h.Launcher.Latest("app.ini")!.Signals);
    }

    [Fact]
    public async Task Ragnarok_stops_everyone_then_kills_after_the_mercy_and_names_each_survivor()
    {
        var h = await LoopHarness.StartAsync(
            m =>
            {
                m.Write("a.ini", notify: false);
                m.Write("b.ini", notify: false);
            },
            ("reload-mercy", "10"));
        try
        {
            // The first scan spawns one per loop turn: wait until both are launched.
            await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.Launches.Count), n => n == 2, "both vassals to be launched");
            var a = h.Launcher.Latest("a.ini")!;
            var b = h.Launcher.Latest("b.ini")!;

            h.Service.Post(new EmperorEvent.Signal(Signals.Sigterm));
            await h.StatsAsync();
            Assert.Equal([Signals.Sigterm], a.Signals);
            Assert.Equal([Signals.Sigterm], b.Signals);
            h.Launcher.Exit(a.Pid, VassalExit.Killed(Signals.Sigterm)); // a goes; b never does

            await h.AdvanceAsync(TimeSpan.FromSeconds(11));
            Assert.Equal([Signals.Sigterm, Signals.Sigkill], b.Signals);
            Assert.False(h.Exit.IsCompleted);

            h.Time.Advance(TimeSpan.FromSeconds(6));
            Assert.Equal(0, await h.Exit.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            var survivor = Assert.Single(h.Log.Entries, e => e.Text.Contains("survived Ragnarok", StringComparison.Ordinal));
            Assert.Contains($"vassal b.ini (pid: {b.Pid})", survivor.Text, StringComparison.Ordinal);
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ragnarok_with_every_vassal_gone_buries_at_once_without_survivors()
    {
        var h = await LoopHarness.StartAsync(m => m.Write("a.ini"));
        try
        {
            var a = h.Launcher.Latest("a.ini")!;
            h.Service.Post(new EmperorEvent.Signal(Signals.Sigint));
            await h.StatsAsync();
            h.Launcher.Exit(a.Pid, VassalExit.Exited(0));

            Assert.Equal(0, await h.Exit.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            Assert.DoesNotContain(h.Log.Entries, e => e.Text.Contains("survived", StringComparison.Ordinal));
            Assert.Equal(1, h.Log.Count("The Emperor is buried."));
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_lifecycle_decision_is_logged_under_its_own_event_id_with_fields()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"));
        var p = h.Launcher.Latest("app.ini")!;
        h.Launcher.Exit(p.Pid, VassalExit.Exited(1));
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v!.State == "waiting", "the crash");

        var spawned = Assert.Single(h.Log.Entries, e => e.Id.Id == EmperorService.DecisionEventBase + (int)VassalLogKind.Spawned);
        Assert.Equal("[emperor] vassal app.ini has been spawned (pid: " + p.Pid + ")", spawned.Text);
        var died = Assert.Single(h.Log.Entries, e => e.Id.Id == EmperorService.DecisionEventBase + (int)VassalLogKind.Died);
        Assert.Equal("app.ini", died.Fields["Vassal"]);
        Assert.Equal(p.Pid, died.Fields["Pid"]);
        Assert.Equal("VassalDied", died.Id.Name);
    }

    [Fact]
    public async Task A_config_the_preflight_refuses_costs_one_line_and_no_process_until_it_changes()
    {
        var bad = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal) { ["/tmp/bad.ini"] = true };
        await using var h = await LoopHarness.StartAsync(
            m => m.Write("bad.ini", notify: false),
            path => bad.ContainsKey(path) ? "a binary file (NUL byte at offset 3), not a config" : null,
            ("emperor-throttle", "0"));

        var v = await h.VassalAsync("bad.ini");
        Assert.Equal("exiled", v!.State);
        Assert.Equal(-1, v.Pid);
        Assert.Contains("not started: a binary file", v.Reason, StringComparison.Ordinal);
        await h.AdvanceAsync(TimeSpan.FromSeconds(30)); // ten periodic rescans: nothing happens
        Assert.Empty(h.Launcher.Launches);
        Assert.Equal(1, h.Log.Count("/tmp/bad.ini: not started: a binary file (NUL byte at offset 3), not a config"));

        h.Monitor.Write("bad.ini"); // still bad: one more line, still no process
        await h.ScanAsync();
        Assert.Equal(2, h.Log.Count("/tmp/bad.ini: not started"));
        Assert.Empty(h.Launcher.Launches);

        bad.Clear(); // fixed
        h.Monitor.Write("bad.ini");
        await h.ScanAsync();
        Assert.Single(h.Launcher.Launches);
        Assert.Equal("running", (await h.VassalAsync("bad.ini"))!.State);
    }

    [Fact]
    public async Task With_the_blacklist_off_a_crash_loop_still_has_a_floor()
    {
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini"), ("emperor-throttle", "0"));

        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Exited(1));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the first respawn (at once)");
        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Exited(1));
        var v = await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v!.State == "waiting", "the floor");
        Assert.Contains("crash-loop floor", v!.Reason, StringComparison.Ordinal);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(90));
        Assert.Equal(2, h.Launcher.LaunchCount("app.ini"));
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(20));
        Assert.Equal(3, h.Launcher.LaunchCount("app.ini"));
    }
}
