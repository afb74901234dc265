using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary><c>cgroup</c> and <c>cgroup-opt</c> in the vassal role (issue #15 §3), on the hierarchies this machine has.</summary>
public sealed class VassalCgroupTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task V1MemoryLimit_StopsAMemoryHog_WithAnOomKill()
    {
        var cancel = TestContext.Current.CancellationToken;
        var root = TestCgroups.V1Root("memory") ?? throw new InvalidOperationException("no v1 memory hierarchy in /proc/self/mountinfo");
        using var cgroups = new TestCgroups();
        using var box = new Sandbox("cg-oom");
        await using var guard = new LeakGuard();
        var cgroup = cgroups.Under(root);
        var ini = box.WriteIni(
            "app.ini",
            $"cgroup = {cgroup}",
            "cgroup-opt = memory.limit_in_bytes=67108864",
            "unprivileged-binary-patch-arg = /usr/bin/python3 -c \"b = b'x' * (512 * 1024 * 1024)\"");
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.True(code == 128 + 9, $"expected death by SIGKILL (the OOM killer), got {code}\n{run.Output}");
        Assert.Equal("67108864", File.ReadAllText(Path.Combine(cgroup, "memory.limit_in_bytes")).Trim());
        var oomKills = File.ReadAllLines(Path.Combine(cgroup, "memory.oom_control")).Single(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
        Assert.NotEqual("oom_kill 0", oomKills);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task V2_TheProgramRunsInTheCgroup()
    {
        var cancel = TestContext.Current.CancellationToken;
        var root = TestCgroups.V2Root ?? throw new InvalidOperationException("no cgroup2 mount in /proc/self/mountinfo");
        using var cgroups = new TestCgroups();
        using var box = new Sandbox("cg-v2");
        await using var guard = new LeakGuard();
        var cgroup = cgroups.Under(root);
        var ini = box.WriteIni("app.ini", $"cgroup = {cgroup}", "uid = 65534", $"unprivileged-binary-patch = {CgroupApp(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAsync(run, box, cancel);

        Assert.Contains($"0::/{Path.GetFileName(cgroup)}", report["cgroups"].Split(';'));
        Assert.Equal("700", Convert.ToString((int)File.GetUnixFileMode(cgroup), 8)); // uWSGI's default cgroup-dir-mode
    }

    /// <summary>A hybrid host: limits on v1, membership on v2; each option goes where its file is.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task Hybrid_JoinsBoth_AndWritesEachOptionWhereItsFileIs()
    {
        var cancel = TestContext.Current.CancellationToken;
        var v1 = TestCgroups.V1Root("pids") ?? throw new InvalidOperationException("no v1 pids hierarchy in /proc/self/mountinfo");
        var v2 = TestCgroups.V2Root ?? throw new InvalidOperationException("no cgroup2 mount in /proc/self/mountinfo");
        using var cgroups = new TestCgroups();
        using var box = new Sandbox("cg-hybrid");
        await using var guard = new LeakGuard();
        var (pids, unified) = (cgroups.Under(v1), cgroups.Under(v2));
        var ini = box.WriteIni(
            "app.ini",
            $"cgroup = {pids}",
            $"cgroup = {unified}",
            "cgroup-opt = pids.max=50",
            "cgroup-dir-mode = 755",
            $"unprivileged-binary-patch = {CgroupApp(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAsync(run, box, cancel);

        var name = Path.GetFileName(pids);
        Assert.Contains($"0::/{name}", report["cgroups"].Split(';'));
        Assert.Contains(report["cgroups"].Split(';'), l => l.EndsWith($":pids:/{name}", StringComparison.Ordinal));
        Assert.Equal("50", File.ReadAllText(Path.Combine(pids, "pids.max")).Trim());
        Assert.Equal("755", Convert.ToString((int)File.GetUnixFileMode(unified), 8));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task OptionNoCgroupHas_OneLine_AndTheProgramNeverRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        var root = TestCgroups.V1Root("memory") ?? throw new InvalidOperationException("no v1 memory hierarchy in /proc/self/mountinfo");
        using var cgroups = new TestCgroups();
        using var box = new Sandbox("cg-nokey");
        await using var guard = new LeakGuard();
        var cgroup = cgroups.Under(root);
        var ini = box.WriteIni("app.ini", $"cgroup = {cgroup}", "cgroup-opt = memory.max=64M", $"unprivileged-binary-patch = {CgroupApp(box)}");
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(run, $"emperor: vassal app.ini: cgroup-opt memory.max=64M: no cgroup has memory.max ({cgroup}); is its controller mounted there?", cancel);
        Assert.False(File.Exists(box.Report));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task CgroupThatCannotBeCreated_OneLine()
    {
        using var box = new Sandbox("cg-nodir");
        await using var guard = new LeakGuard();
        var cgroup = box.Combine("no/such/cgroup");
        var ini = box.WriteIni("app.ini", $"cgroup = {cgroup}", $"unprivileged-binary-patch = {CgroupApp(box)}");
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(run, $"emperor: vassal app.ini: cgroup {cgroup}: mkdir(): No such file or directory", TestContext.Current.CancellationToken);
    }

    private static string CgroupApp(Sandbox box) => ScriptApp.Write(box, extra: "echo \"cgroups=$(paste -sd';' /proc/self/cgroup)\"");

    private static async Task<Dictionary<string, string>> ReportAsync(TestProcess run, Sandbox box, CancellationToken cancel)
    {
        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);
        Assert.True(code == 0, $"expected exit 0, got {code}\n{run.Output}");
        return ScriptApp.TryRead(box.Report) ?? throw new InvalidOperationException($"no report\n{run.Output}");
    }
}
