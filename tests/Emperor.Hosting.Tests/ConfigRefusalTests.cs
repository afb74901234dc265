using Emperor.Core.Emperor;

namespace Emperor.Hosting.Tests;

/// <summary>
/// A vassal config its vassal would refuse costs one line per change and no process (issue #17 §1): the loop reads
/// each config with the real <see cref="VassalConfigReader"/> (files in memory) before it spawns.
/// </summary>
public sealed class ConfigRefusalTests
{
    private const string Runs = "[uwsgi]\nunprivileged-binary-patch-arg = /bin/sleep 1000\n";

    [Fact]
    public async Task A_config_with_errors_costs_one_line_and_no_process_until_it_changes()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/bad.ini", "[uwsgi]\nunprivileged-binary-patch-arg = /bin/sleep 1000\nx = @(/nonexistent)\ny = @(/nonexistent2)\n");
        await using var h = await LoopHarness.StartAsync(m => m.Write("bad.ini", notify: false), null, new VassalConfigReader(files), ("emperor-throttle", "0"));

        var v = await h.VassalAsync("bad.ini");
        Assert.Equal("exiled", v!.State);
        Assert.Equal(-1, v.Pid);
        const string Line = "/tmp/bad.ini: not started: 3:1 cannot read configuration '/nonexistent': No such file or directory; "
            + "check the path (relative paths are relative to the working directory) (and 1 more); waiting for the file to change";
        Assert.Equal(1, h.Log.Count(Line));
        var reads = files.Reads;

        await h.AdvanceAsync(TimeSpan.FromSeconds(30)); // ten periodic rescans: nothing happens, nothing is read again
        Assert.Empty(h.Launcher.Launches);
        Assert.Equal(1, h.Log.Count("not started"));
        Assert.Equal(reads, files.Reads);
        Assert.Equal("exiled", (await h.VassalAsync("bad.ini"))!.State);

        files.Write("/tmp/bad.ini", "[uwsgi]\nunprivileged-binary-patch-arg = /bin/sleep 1000\nx = @(/nonexistent)\n"); // still bad
        h.Monitor.Write("bad.ini");
        await h.ScanAsync();
        Assert.Equal(1, h.Log.Count("/tmp/bad.ini: not started: 3:1 cannot read configuration '/nonexistent': No such file or directory; "
            + "check the path (relative paths are relative to the working directory); waiting for the file to change"));
        Assert.Equal(2, h.Log.Count("not started"));
        Assert.Empty(h.Launcher.Launches);

        files.Write("/tmp/bad.ini", Runs); // fixed
        h.Monitor.Write("bad.ini");
        await h.ScanAsync();
        Assert.Single(h.Launcher.Launches);
        Assert.Equal("running", (await h.VassalAsync("bad.ini"))!.State);
        Assert.Equal(2, h.Log.Count("not started"));
    }

    [Fact]
    public async Task What_the_vassal_roles_plan_refuses_is_not_started_either()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/idle.ini", "[uwsgi]\nchdir = /tmp\n"); // reads fine, but there is nothing to run
        await using var h = await LoopHarness.StartAsync(m => m.Write("idle.ini", notify: false), null, new VassalConfigReader(files), ("emperor-throttle", "0"));

        var v = await h.VassalAsync("idle.ini");
        Assert.Equal("exiled", v!.State);
        Assert.StartsWith("not started: nothing to run: set unprivileged-binary-patch-arg", v.Reason, StringComparison.Ordinal);
        Assert.Equal(1, h.Log.Count("/tmp/idle.ini: not started: nothing to run:"));
        Assert.Empty(h.Launcher.Launches);
    }

    [Fact]
    public async Task An_error_in_an_included_file_names_that_file_and_the_vassal_runs_once_it_is_fixed_and_touched()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/app.ini", "[uwsgi]\nini = common.ini\nunprivileged-binary-patch-arg = /bin/sleep 1000\n");
        files.Write("/tmp/common.ini", "[uwsgi]\nfoo = bar\nbar = @(/missing)\n");
        await using var h = await LoopHarness.StartAsync(m => m.Write("app.ini", notify: false), null, new VassalConfigReader(files));

        Assert.Equal(1, h.Log.Count("/tmp/app.ini: not started: common.ini:3:1 cannot read configuration '/missing'"));
        Assert.Empty(h.Launcher.Launches);

        files.Write("/tmp/common.ini", "[uwsgi]\nfoo = bar\n");
        h.Monitor.Write("app.ini"); // uWSGI watches the vassal file only: the operator touches it
        await h.ScanAsync();
        Assert.Single(h.Launcher.Launches);
    }

    [Fact]
    public async Task A_vassal_of_a_multi_vassal_file_is_refused_for_its_own_section_only()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/multi.ini", "[emperor]\nvassals = shop blog\n[shop]\nunprivileged-binary-patch-arg = /bin/sleep 1000\nx = @(/missing)\n" + "[blog]\nunprivileged-binary-patch-arg = /bin/sleep 1000\n");
        await using var h = await LoopHarness.StartAsync(
            m =>
            {
                m.Write("multi.ini:shop", notify: false);
                m.Write("multi.ini:blog", notify: false);
            },
            null,
            new VassalConfigReader(files));

        Assert.Equal(1, h.Log.Count("/tmp/multi.ini:shop: not started: 5:1 cannot read configuration '/missing'"));
        Assert.Equal("exiled", (await h.VassalAsync("multi.ini:shop"))!.State);
        Assert.Equal("running", (await h.VassalAsync("multi.ini:blog"))!.State);
        Assert.Equal(["multi.ini:blog"], h.Launcher.Launches.Select(l => l.Request.CaptureAs));
    }

    [Fact]
    public async Task A_foreign_binary_is_refused_only_what_uwsgi_cannot_survive()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/missing.ini", "[uwsgi]\nx = @(/missing)\n"); // our reading's error: uWSGI decides for itself
        files.Write("/tmp/a.ini", "[uwsgi]\nini = b.ini\n");
        files.Write("/tmp/b.ini", "[uwsgi]\nini = a.ini\n"); // an include cycle: uWSGI recurses until it crashes
        await using var h = await LoopHarness.StartAsync(
            m =>
            {
                m.Write("missing.ini", notify: false);
                m.Write("a.ini", notify: false);
            },
            null,
            new VassalConfigReader(files),
            ("binary-path", "/usr/bin/uwsgi"));

        Assert.Equal("running", (await h.VassalAsync("missing.ini"))!.State);
        Assert.Equal(1, h.Log.Count("/tmp/a.ini: not started: b.ini:2:1 configuration files include each other in a cycle: a.ini → b.ini → a.ini"));
        Assert.Equal(["missing.ini"], h.Launcher.Launches.Select(l => l.Request.CaptureAs));
    }

    [Fact]
    public async Task A_tyrant_vassals_files_are_never_read_by_the_Emperor()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/user.ini", "[uwsgi]\nx = @(/root/secret)\n");
        await using var h = await LoopHarness.StartAsync(m => m.Write("user.ini", uid: 1000, gid: 1000, notify: false), null, new VassalConfigReader(files), ("emperor-tyrant", "true"));

        // Root reading a user's includes could quote files the user may not read; the vassal, as the user, decides.
        Assert.Equal(0, files.Reads);
        Assert.Single(h.Launcher.Launches);
        Assert.Equal(0, h.Log.Count("not started"));
    }

    [Fact]
    public async Task A_config_larger_than_the_Emperor_reads_before_a_spawn_is_left_to_its_vassal()
    {
        var files = new MemoryConfigHost();
        files.Write("/tmp/huge.ini", "[uwsgi]\n" + string.Concat(Enumerable.Repeat("x = %é\n", (VassalConfigReader.MaxFileBytes / 8) + 1)));
        await using var h = await LoopHarness.StartAsync(m => m.Write("huge.ini", notify: false), null, new VassalConfigReader(files));

        // Reading it on the loop thread could take seconds: the Emperor does not judge it; the vassal does.
        Assert.Single(h.Launcher.Launches);
        Assert.Equal(0, h.Log.Count("not started"));
        Assert.Equal(1, h.Log.Count($"its config is larger than the {VassalConfigReader.MaxFileBytes} bytes the Emperor reads before a spawn"));
    }
}
