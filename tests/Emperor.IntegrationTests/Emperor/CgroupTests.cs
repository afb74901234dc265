using System.Diagnostics;
using System.Globalization;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// <c>--emperor-cgroup DIR</c> (issue #15 §3) on this machine's real cgroups (a hybrid host: v2 beside v1 memory,
/// pids and cpu), and <c>--emperor-cap</c>: a cgroup of its own per vassal from the first instruction, nothing of a
/// vassal outliving its stop or Ragnarok (not even a double-forked daemon), limits, stats and metrics.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class CgroupTests
{
    /// <summary>
    /// A vassal whose shell double-forks a <c>sleep</c> daemon into a session of its own (out of the vassal's process
    /// group, reparented away from the vassal), writes the daemon's pid to $1, and then runs a <c>sleep</c> itself.
    /// </summary>
    private const string DaemonScript = """
        #!/bin/sh
        setsid sh -c 'sleep 100231 </dev/null >/dev/null 2>&1 & echo $! > "$0.tmp" && mv "$0.tmp" "$0"' "$1"
        exec sleep 100232
        """;

    [Fact(Timeout = 60_000)]
    public async Task Stop_EndsADoubleForkedDaemon_AndRemovesTheCgroup()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-stop", async s =>
        {
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path);
            var (pid, daemon, path) = await StartDaemonVassalAsync(s, emperor, dir);

            var clock = Stopwatch.StartNew();
            File.Delete(path);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(daemon), EmperorScenario.Prompt, $"the double-forked daemon (pid {daemon}) to be gone after the stop", s.Cancel);
            var gone = clock.Elapsed;

            Assert.False(ProcessTree.IsRunning(pid));
            await Wait.UntilAsync(() => !dir.AnyLeft("d.ini"), EmperorScenario.Prompt, "the vassal's cgroups to be removed", s.Cancel);
            Assert.NotEmpty(emperor.LinesContaining("vassal d.ini: killed what was left in its cgroup (its leader exited)"));
            TestContext.Current.TestOutputHelper?.WriteLine($"daemon gone {gone.TotalMilliseconds:0.0} ms after the vassal file's removal");
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ragnarok_EndsADoubleForkedDaemon_AndRemovesTheCgroup()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-ragnarok", async s =>
        {
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path);
            var (_, daemon, _) = await StartDaemonVassalAsync(s, emperor, dir);

            var clock = Stopwatch.StartNew();
            Assert.True(emperor.Signal(Signals.Sigterm));
            await emperor.WaitForExitAsync(EmperorScenario.Prompt, s.Cancel);
            var exited = clock.Elapsed;

            Assert.Equal(0, emperor.ExitCode);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(daemon), TimeSpan.FromSeconds(5), $"the double-forked daemon (pid {daemon}) to be gone after Ragnarok", s.Cancel);
            Assert.False(dir.AnyLeft("d.ini"), "the vassal's cgroup is still there after the burial");
            TestContext.Current.TestOutputHelper?.WriteLine($"Emperor buried {exited.TotalMilliseconds:0} ms after SIGTERM");
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>The Emperor SIGKILLed: its guardian kills the process groups it knew, and the cgroups.</summary>
    [Fact(Timeout = 60_000)]
    public async Task EmperorSigkilled_TheGuardianEndsADoubleForkedDaemonToo()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-sigkill", async s =>
        {
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path);
            var (pid, daemon, _) = await StartDaemonVassalAsync(s, emperor, dir);

            Assert.True(emperor.Signal(Signals.Sigkill));
            await emperor.WaitForExitAsync(EmperorScenario.Prompt, s.Cancel);

            await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid) && !ProcessTree.IsRunning(daemon), TimeSpan.FromSeconds(5), $"the vassal (pid {pid}) and its double-forked daemon (pid {daemon}) to be gone after the Emperor's SIGKILL", s.Cancel);
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Real uWSGI as the vassal binary: the Emperor reads its file's emperor-cgroup-opt (uWSGI itself ignores the
    /// line), and a daemon a worker double-forks while serving a request dies with the vassal's stop.
    /// </summary>
    [Fact(Timeout = 90_000)]
    public async Task UwsgiVassal_FileLimitApplied_AndAWorkersDaemonDiesWithTheStop()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-uwsgi", async s =>
        {
            const string Uwsgi = "/usr/bin/uwsgi-core";
            Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
            var port = FreePort.Tcp();
            var pidFile = s.PathOf("daemon.pid");
            var app = s.Root.WriteFile("app.py", $$"""
                import subprocess

                def application(environ, start_response):
                    # A session of its own, no fd of the worker (the client's socket would keep the response open).
                    subprocess.run(["sh", "-c", "sleep 100241 </dev/null >/dev/null 2>&1 & echo $! > {{pidFile}}.tmp && mv {{pidFile}}.tmp {{pidFile}}"], start_new_session=True, close_fds=True)
                    start_response('200 OK', [('Content-Type', 'text/plain')])
                    return [b'forked']
                """);
            var emperor = await s.StartEmperorAsync("--binary-path", Uwsgi, "--emperor-cgroup", dir.Path);
            var path = s.WriteVassal("u.ini", $"""
                [uwsgi]
                plugin = python3
                http-socket = 127.0.0.1:{port}
                wsgi-file = {app}
                master = true
                processes = 2
                emperor-cgroup-opt = pids.max=40
                """);
            await emperor.WaitForLineAsync("vassal u.ini is ready to accept requests", EmperorScenario.Prompt, s.Cancel);
            var master = await emperor.WaitForRunningPidAsync("u.ini", EmperorScenario.Prompt, s.Cancel);

            using var http = new HttpClient { Timeout = EmperorScenario.Prompt };
            Assert.Equal("forked", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), s.Cancel));
            var text = await Wait.ForValueAsync(() => File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : null, EmperorScenario.Prompt, "the worker's daemon", s.Cancel);
            var daemon = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.Contains($"0::{dir.Relative}/u.ini", File.ReadAllLines($"/proc/{daemon}/cgroup"));
            Assert.Equal("40", File.ReadAllText(dir.In(dir.Roots.Single(r => r.EndsWith("/pids", StringComparison.Ordinal)), "u.ini") + "/pids.max").Trim());
            var members = File.ReadAllLines(dir.In(dir.Roots[0], "u.ini") + "/cgroup.procs").Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
            Assert.True(members.Count >= 4, $"expected the master, 2 workers and the daemon in the cgroup, found {members.Count}");

            File.Delete(path);
            await Wait.UntilAsync(() => members.All(p => !ProcessTree.IsRunning(p)), EmperorScenario.Prompt, "the master, its workers and the daemon to be gone", s.Cancel);
            Assert.False(ProcessTree.IsRunning(master));
            await Wait.UntilAsync(() => !dir.AnyLeft("u.ini"), EmperorScenario.Prompt, "u.ini's cgroups to be removed", s.Cancel);
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>A foreign vassal binary (no .NET in it) reads /proc/self/cgroup as its very first command.</summary>
    [Fact(Timeout = 60_000)]
    public async Task ForeignBinary_IsInItsCgroupFromItsFirstInstruction()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-foreign", async s =>
        {
            var report = s.PathOf("cgroup.txt");
            var binary = s.PathOf("vassal.sh");
            File.WriteAllText(binary, $"#!/bin/sh\ncat /proc/self/cgroup > {report}.tmp && mv {report}.tmp {report}\nexec sleep 100233\n");
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path, "--binary-path", binary);
            s.WriteVassal("f.ini", "[uwsgi]\nprocesses = 1\n");

            var lines = await Wait.ForValueAsync(() => File.Exists(report) ? File.ReadAllLines(report) : null, EmperorScenario.Prompt, "the foreign vassal's report", s.Cancel);

            Assert.Contains($"0::{dir.Relative}/f.ini", lines);
            Assert.Contains(lines, l => l.EndsWith($":memory:{dir.Relative}/f.ini", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.EndsWith($":pids:{dir.Relative}/f.ini", StringComparison.Ordinal));
            await emperor.WaitForStatsAsync(x => x.Raw("f.ini", "cgroup") == dir.Path + "/f.ini", EmperorScenario.Prompt, "f.ini's cgroup in the stats", s.Cancel);
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 90_000)]
    public async Task MemoryLimit_FromTheVassalFile_StopsAHog_AndTheStatsCountTheOomKill()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-oom", async s =>
        {
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path, "--emperor-throttle", "5000");
            s.WriteVassal("h.ini", VassalFile.Command("exec /usr/bin/python3 -c \"b = b'x' * (512 * 1024 * 1024)\"", "emperor-cgroup-opt = memory.max=64M"));

            var stats = await emperor.WaitForStatsAsync(
                x => x.Vassal("h.ini")?.LastExitSignal == 9 && long.TryParse(x.Raw("h.ini", "oom_kills"), out var n) && n >= 1,
                EmperorScenario.Slow,
                "h.ini killed by SIGKILL with an OOM kill counted",
                s.Cancel);

            var limit = Directory.Exists(dir.Path + "/h.ini") && File.Exists(dir.Path + "/h.ini/memory.max")
                ? File.ReadAllText(dir.Path + "/h.ini/memory.max")
                : File.ReadAllText(dir.In(dir.Roots.Single(r => r.EndsWith("/memory", StringComparison.Ordinal)), "h.ini") + "/memory.limit_in_bytes");
            Assert.Equal("67108864", limit.Trim());
            Assert.True(long.Parse(stats.Raw("h.ini", "memory_peak")!, CultureInfo.InvariantCulture) >= 60L * 1024 * 1024, $"memory_peak {stats.Raw("h.ini", "memory_peak")}: the hog never got near its limit");
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 60_000)]
    public async Task StatsAndMetrics_ShowEachVassalsMemoryCpuTasksAndOomKills()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-stats", async s =>
        {
            var port = FreePort.Tcp();
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path, "--emperor-metrics", $"127.0.0.1:{port}", "--emperor-cgroup-opt", "pids.max=30");
            s.WriteVassal("s.ini", VassalFile.Command("exec /usr/bin/python3 -c \"import time; b = bytearray(8 * 1024 * 1024); [sum(range(100000)) for _ in range(30)]; time.sleep(100234)\""));
            s.WriteVassal("plain.ini", VassalFile.Sleep(100235));

            var stats = await emperor.WaitForStatsAsync(
                x => long.TryParse(x.Raw("s.ini", "memory_current"), out var m) && m > 8L * 1024 * 1024 && long.TryParse(x.Raw("s.ini", "cpu_usage_usec"), out var c) && c > 0,
                EmperorScenario.Prompt,
                "s.ini's memory (its 8 MiB buffer) and CPU time in the stats",
                s.Cancel);

            Assert.Equal(dir.Path + "/s.ini", stats.Raw("s.ini", "cgroup"));
            Assert.Equal("0", stats.Raw("s.ini", "oom_kills"));
            Assert.True(long.Parse(stats.Raw("s.ini", "pids_current")!, CultureInfo.InvariantCulture) >= 1);
            Assert.Equal("30", File.ReadAllText(dir.In(dir.Roots.Single(r => r.EndsWith("/pids", StringComparison.Ordinal)), "s.ini") + "/pids.max").Trim());
            Assert.NotNull(stats.Raw("plain.ini", "memory_current"));

            using var http = new HttpClient();
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), s.Cancel);
            foreach (var series in new[] { "emperor_vassal_memory_current", "emperor_vassal_memory_peak", "emperor_vassal_cpu_usage", "emperor_vassal_oom_kills", "emperor_vassal_pids" })
            {
                Assert.Contains(metrics.Split('\n'), l => l.StartsWith(series + "{vassal=\"s.ini\"} ", StringComparison.Ordinal));
            }

            Assert.Contains("emperor_vassal_oom_kills{vassal=\"plain.ini\"} 0", metrics.Split('\n'));
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 60_000)]
    public async Task LimitTheKernelRefuses_OneLine_AndTheVassalWaitsForItsFileToChange()
    {
        // Removed after the scenario has stopped the Emperor (it kills what is left in it).
        using var dir = TestCgroupDir.Create();
        await EmperorScenario.RunAsync("cg-badlimit", async s =>
        {
            var emperor = await s.StartEmperorAsync("--emperor-cgroup", dir.Path, "--emperor-throttle", "100");
            s.WriteVassal("b.ini", VassalFile.Sleep(100236) + "emperor-cgroup-opt = memory.max=lots\n");

            await emperor.WaitForStatsAsync(x => x.Vassal("b.ini")?.State == "exiled", EmperorScenario.Prompt, "b.ini refused", s.Cancel);
            await emperor.WaitForMoreScansAsync(1, EmperorScenario.Slow, s.Cancel);

            var lines = emperor.LinesContaining("emperor-cgroup-opt memory.max=lots: write(");
            Assert.Single(lines);
            Assert.Contains("Invalid argument", lines[0].Text, StringComparison.Ordinal);
            Assert.Equal(-1, (await emperor.StatsAsync(s.Cancel)).Vassal("b.ini")!.Pid);
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 60_000)]
    public Task NoCgroupFileSystem_OneLine_AndVassalsRunAsBefore() => EmperorScenario.RunAsync("cg-none", async s =>
    {
        var notCgroup = s.PathOf("not-a-cgroup");
        var emperor = await s.StartEmperorAsync("--emperor-cgroup", notCgroup);
        s.WriteVassal("s.ini", VassalFile.Sleep(100237));

        var stats = await emperor.WaitForStatsAsync(x => x.RunningPid("s.ini") is not null, EmperorScenario.Prompt, "s.ini running", s.Cancel);

        var line = Assert.Single(emperor.LinesContaining("--emperor-cgroup " + notCgroup + ": "));
        Assert.Contains("not inside a cgroup file system", line.Text, StringComparison.Ordinal);
        Assert.EndsWith("; vassals run without cgroups of their own", line.Text, StringComparison.Ordinal);
        Assert.Null(stats.Raw("s.ini", "cgroup"));
        Assert.Null(stats.Raw("s.ini", "memory_current"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task VassalFileLimit_WithoutEmperorCgroup_OneLine_AndTheProgramNeverRuns() => EmperorScenario.RunAsync("cg-unapplied", async s =>
    {
        var ran = s.PathOf("ran");
        var emperor = await s.StartEmperorAsync("--emperor-throttle", "3000");
        s.WriteVassal("l.ini", VassalFile.Command($"touch {ran}; exec sleep 100238", "emperor-cgroup-opt = memory.max=64M"));

        await emperor.WaitForLineAsync("emperor-cgroup-opt = memory.max=64M: not applied: the Emperor writes it to the vassal's own cgroup only with --emperor-cgroup", EmperorScenario.Prompt, s.Cancel);

        Assert.False(File.Exists(ran));
    }, TestContext.Current.CancellationToken);

    /// <summary>uWSGI's emperor-cap: only the listed capabilities (and setpcap) stay in every vassal's bounding set.</summary>
    [Fact(Timeout = 60_000)]
    public Task EmperorCap_LeavesOnlyTheListedCapabilitiesAndSetpcapInTheBoundingSet() => EmperorScenario.RunAsync("cg-cap", async s =>
    {
        var report = s.PathOf("status");
        var emperor = await s.StartEmperorAsync("--emperor-cap", "net_bind_service,kill");
        s.WriteVassal("c.ini", VassalFile.Command($"grep ^Cap /proc/self/status > {report}.tmp && mv {report}.tmp {report}; exec sleep 100239"));

        var lines = await Wait.ForValueAsync(() => File.Exists(report) ? File.ReadAllLines(report) : null, EmperorScenario.Prompt, "the vassal's capabilities", s.Cancel);

        // CAP_KILL 5, CAP_SETPCAP 8, CAP_NET_BIND_SERVICE 10.
        Assert.Contains("CapBnd:\t0000000000000520", lines);
        await emperor.WaitForStatsAsync(x => x.RunningPid("c.ini") is not null, EmperorScenario.Prompt, "c.ini running", s.Cancel);
    }, TestContext.Current.CancellationToken);

    private static async Task<(int Pid, int Daemon, string Path)> StartDaemonVassalAsync(EmperorScenario s, EmperorProcess emperor, TestCgroupDir dir)
    {
        var script = s.PathOf("daemon.sh");
        var pidFile = s.PathOf("daemon.pid");
        File.WriteAllText(script, DaemonScript);
        var path = s.WriteVassal("d.ini", VassalFile.Command($"exec /bin/sh {script} {pidFile}"));
        var pid = await emperor.WaitForRunningPidAsync("d.ini", EmperorScenario.Prompt, s.Cancel);
        var text = await Wait.ForValueAsync(() => File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : null, EmperorScenario.Prompt, "the daemon's pid", s.Cancel);
        var daemon = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

        // Escaped: another session and process group than the vassal's, so a group kill cannot reach it.
        var stat = ProcessTree.TryReadStat(daemon) ?? throw new InvalidOperationException($"the daemon (pid {daemon}) is already gone");
        Assert.NotEqual(pid, stat.ProcessGroup);
        Assert.NotEqual(pid, stat.Session);
        Assert.Contains($"0::{dir.Relative}/d.ini", File.ReadAllLines($"/proc/{daemon}/cgroup"));
        return (pid, daemon, path);
    }
}
