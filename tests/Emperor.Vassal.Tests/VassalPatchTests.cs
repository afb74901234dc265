using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// The binary patches (spec §11): the plain forms exec PROG with the vassal's original argv, the -arg forms run
/// <c>/bin/sh -c</c>; the privileged one runs as root before anything is dropped, the unprivileged one after.
/// </summary>
public sealed class VassalPatchTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task UnprivilegedPatch_Plain_GetsTheOriginalArgv()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-plain");
        await using var guard = new LeakGuard();
        var ini = box.Ini(VassalRun.ReportingApp(box.Report));
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([TestPaths.TestVassalBinary, "--ini", ini], report.Argv);
        Assert.Equal(app.Pid, report.Pid);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnprivilegedPatch_PlainNameWithoutSlash_IsLookedUpOnThePathOfTheApp()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-path");
        await using var guard = new LeakGuard();
        var binDir = Path.GetDirectoryName(TestPaths.TestVassalBinary)!;
        var ini = box.Ini([$"env = PATH={box.Path}:{binDir}:/usr/bin:/bin", $"env = TESTVASSAL_REPORT={box.Report}", "env = TESTVASSAL_EXIT=0", "unprivileged-binary-patch = testvassal"]);
        await using var app = VassalRun.Start(guard, ini, workingDirectory: box.Path);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(["testvassal", "--ini", ini], report.Argv);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnprivilegedPatchArg_RunsTheCommandLineThroughBinSh()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-arg");
        await using var guard = new LeakGuard();
        var ini = box.Ini([$"unprivileged-binary-patch-arg = export EMPEROR_TEST_SHELL=$((6*7)); exec {TestPaths.TestVassalBinary} --report {box.Report} --exit 0 \"two words\""]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([TestPaths.TestVassalBinary, "--report", box.Report, "--exit", "0", "two words"], report.Argv);
        Assert.Equal("42", report.Environment.GetValueOrDefault("EMPEROR_TEST_SHELL"));
        Assert.Equal(app.Pid, report.Pid); // sh exec'd in place too
    }

    /// <summary>
    /// The privileged patch replaces the vassal before anything is applied: still root, original argv, the
    /// config's chdir/env/umask/uid not applied, but the sockets already bound and passed.
    /// </summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task PrivilegedPatch_Plain_RunsAsRootWithTheOriginalArgvBeforeAnythingIsApplied()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-priv");
        await using var guard = new LeakGuard();
        var ini = box.Ini(
        [
            "socket = 127.0.0.1:0",
            "uid = nobody",
            "gid = nogroup",
            "chdir = /usr",
            "umask = 077",
            "env = EMPEROR_TEST_CONFIG_ENV=1",
            "privileged-binary-patch = " + TestPaths.TestVassalBinary,
        ]);
        await using var app = VassalRun.Start(
            guard,
            ini,
            environment: [new("TESTVASSAL_REPORT", box.Report), new("TESTVASSAL_EXIT", "0")],
            workingDirectory: box.Path);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal((0, 0), (report.Uid, report.Gid));
        Assert.Equal([TestPaths.TestVassalBinary, "--ini", ini], report.Argv);
        Assert.Equal(box.Path, report.WorkingDirectory);
        // umask is the exception: uWSGI applies it while reading options, so socket files are created under it too.
        Assert.Equal(Convert.ToInt32("077", 8), report.Umask);
        Assert.DoesNotContain("EMPEROR_TEST_CONFIG_ENV", report.Environment.Keys);
        Assert.Equal([0, 1, 2, 3], report.InheritedFds);
        Assert.Equal("1", report.Environment.GetValueOrDefault("LISTEN_FDS"));
    }

    /// <summary>Both patches set: the privileged one runs (as root) and replaces the vassal, so the unprivileged one never runs.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task PrivilegedAndUnprivilegedPatch_ThePrivilegedOneRunsFirstAsRoot()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-both");
        await using var guard = new LeakGuard();
        var marker = box.Combine("unprivileged-ran");
        var ini = box.Ini(
        [
            "uid = nobody",
            "gid = nogroup",
            $"privileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --report {box.Report} --exit 0",
            $"unprivileged-binary-patch-arg = touch {marker}",
        ]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal((0, 0), (report.Uid, report.Gid));
        Assert.False(File.Exists(marker), "the unprivileged patch ran after the privileged one");
    }

    /// <summary>uWSGI skips the unprivileged patch in a vassal that starts unprivileged; ours runs it (tyrant mode needs that).</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task UnprivilegedPatch_InAVassalStartedUnprivileged_StillRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("patch-unpriv-start");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["socket = 127.0.0.1:0", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, wrapper: ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal((65534, 65534), (report.Uid, report.Gid));
        Assert.Equal([TestPaths.TestVassalBinary, "--ini", ini], report.Argv);
        Assert.Equal([0, 1, 2, 3], report.InheritedFds);
    }
}
