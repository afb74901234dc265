using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary><c>unshare</c> (issue #15 §1), as root, with real processes.</summary>
public sealed class VassalNamespaceTests
{
    /// <summary>The seed's binary-patch example, verbatim but for the program's path.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task SeedExample_Uid1000InANewNetworkNamespace_SeesOnlyLoopback()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-seed");
        await using var guard = new LeakGuard();
        var program = ScriptApp.Write(box);
        var ini = box.WriteIni("app.ini", "uid = 1000", "gid = 1000", "unshare = net", $"unprivileged-binary-patch = {program}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAfterExitAsync(run, box, cancel);

        Assert.Equal("1000", report["uid"]);
        Assert.Equal("1000", report["gid"]);
        Assert.Equal("lo", report["ifaces"]);
        Assert.NotEqual(OwnNamespace("net"), report["netns"]);
        Assert.Equal($"{program} --ini {ini}", report["argv"]);
    }

    /// <summary>The same file in a real Emperor's vassal directory: the Emperor runs it with its own vassal role.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task SeedExample_UnderARealEmperor_RunsIsolated()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-seed-emperor");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var program = ScriptApp.Write(box);
        File.AppendAllText(program, "exec sleep 600\n"); // stay up after the report, so the Emperor does not respawn it
        File.WriteAllText(Path.Combine(vassals, "funny.ini"), $"[uwsgi]\nuid = 1000\ngid = 1000\nunshare = net\nunprivileged-binary-patch = {program}\n");
        await using var guard = new LeakGuard();
        await using var emperor = await EmperorProcess.StartWithStatsAsync(guard, ["--emperor", vassals], "/", cancel);

        var report = await Wait.ForValueAsync(() => ScriptApp.TryRead(box.Report), Deadlines.Emperor, "the vassal's report", cancel);

        Assert.Equal("1000", report["uid"]);
        Assert.Equal("lo", report["ifaces"]);
        Assert.NotEqual(OwnNamespace("net"), report["netns"]);
        Assert.Equal($"{program} --ini funny.ini", report["argv"]);
    }

    /// <summary>The control for the test above: without unshare the program is in our network namespace.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task WithoutUnshare_TheProgramSharesTheHostNetworkNamespace()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-none");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "uid = 1000", "gid = 1000", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAfterExitAsync(run, box, cancel);

        Assert.Equal(OwnNamespace("net"), report["netns"]);
        Assert.Equal(OwnNamespace("uts"), report["utsns"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnshareList_AndRepeatedUnshare_Accumulate()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-list");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "unshare = ipc,uts", "unshare = net", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAfterExitAsync(run, box, cancel);

        Assert.NotEqual(OwnNamespace("net"), report["netns"]);
        Assert.NotEqual(OwnNamespace("uts"), report["utsns"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownNamespaceName_OneLineNamingFileAndLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-unknown");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "unshare = net,network", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(
            run,
            $"emperor: vassal app.ini: {ini}:2: unshare = net,network: unknown namespace \"network\" (known: cgroup, files, fs, ipc, mnt, mount, net, ns, pid, sysvsem, user, uts)",
            cancel);
        Assert.False(File.Exists(box.Report));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnshareWithoutPrivilege_FailsWithOneLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-eperm");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "unshare = net", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini, wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]);

        await VassalRun.AssertFailsWithAsync(run, "emperor: vassal app.ini: unshare net: unshare(): Operation not permitted", cancel);
    }

    /// <summary>pivot_root runs in the vassal's own mount namespace; a new root that is no mount point is one line.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task PivotRoot_OntoADirectoryThatIsNoMountPoint_FailsWithOneLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ns-pivot");
        await using var guard = new LeakGuard();
        var root = Directory.CreateDirectory(box.Combine("root")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "old"));
        var ini = box.WriteIni("app.ini", "unshare = mount", $"pivot-root = {root} /old", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        var before = File.ReadAllText("/proc/self/mountinfo");
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.Equal(1, code);
        var line = Assert.Single(run.StandardErrorLines); // the errno text is the kernel's (EINVAL or EBUSY, by version)
        Assert.StartsWith($"emperor: vassal app.ini: pivot-root: pivot_root({root}, old): ", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText("/proc/self/mountinfo")); // the host's mounts (and their propagation) are untouched
    }

    private static async Task<Dictionary<string, string>> ReportAfterExitAsync(TestProcess run, Sandbox box, CancellationToken cancel)
    {
        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);
        Assert.True(code == 0, $"expected exit 0, got {code}\n{run.Output}");
        return ScriptApp.TryRead(box.Report) ?? throw new InvalidOperationException($"no report\n{run.Output}");
    }

    private static string OwnNamespace(string kind) => new FileInfo($"/proc/self/ns/{kind}").LinkTarget!;
}
