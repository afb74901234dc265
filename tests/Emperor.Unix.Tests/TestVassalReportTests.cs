using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>testvassal's --report: each value checked against the kernel's view or against what the parent set.</summary>
public sealed class TestVassalReportTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Report_RunningVassal_MatchesTheKernelsView()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("report");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--report", path, "an argument with spaces"], workingDirectory: dir.Path);

        var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(path), Deadlines.Child, "the report", cancel);
        var stat = ProcessTree.TryReadStat(vassal.Pid) ?? throw new InvalidOperationException("the vassal is gone");

        Assert.Equal(vassal.Pid, report.Pid);
        Assert.Equal(Environment.ProcessId, report.ParentPid);
        Assert.Equal(stat.ProcessGroup, report.ProcessGroup);
        Assert.Equal(stat.Session, report.Session);
        Assert.Equal(ProcStatus.First(vassal.Pid, "Uid"), report.Uid);
        Assert.Equal(ProcStatus.First(vassal.Pid, "Gid"), report.Gid);
        Assert.Equal(int.Parse(ProcStatus.Field(vassal.Pid, "Uid").Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture), report.EffectiveUid);
        Assert.Equal(ProcStatus.Field(vassal.Pid, "Groups").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order(), report.Groups);
        Assert.Equal(dir.Path, report.WorkingDirectory);
        Assert.Equal(Convert.ToInt32(ProcStatus.Field(vassal.Pid, "Umask"), 8), report.Umask);
        Assert.Equal(ProcStatus.HardLimit(vassal.Pid, "Max open files"), report.OpenFilesLimit.Hard?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited");
        Assert.Equal(0, report.ParentDeathSignal);
        Assert.Equal(0UL, report.BlockedSignals);
        Assert.Equal([TestPaths.TestVassalBinary, "--report", path, "an argument with spaces"], report.Argv);
        Assert.Equal(guard.Token, report.Environment[LeakGuard.TokenVariable]);
        Assert.StartsWith("pipe:", report.FdTargets[2], StringComparison.Ordinal); // stderr, redirected by the test
        Assert.Contains(2, report.InheritedFds);
        Assert.Subset(report.Fds.ToHashSet(), report.InheritedFds.ToHashSet());
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Report_EnvironmentValueWithNewlinesAndBackslashes_RoundTrips()
    {
        var cancel = TestContext.Current.CancellationToken;
        const string Tricky = "line one\nline two\r\\n is not a newline\\ end=x";
        using var dir = new TempDir("report-env");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--report", path, "--exit", "0", "arg\nwith newline"], [new("EMPEROR_TEST_TRICKY", Tricky)]);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        var report = ReportFile.Load(path);

        Assert.Equal(Tricky, report.Environment["EMPEROR_TEST_TRICKY"]);
        Assert.Equal("arg\nwith newline", report.Argv[^1]);
        Assert.DoesNotContain(File.ReadAllLines(path), line => !line.Contains('=', StringComparison.Ordinal));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Report_InheritedLink_IsListedAsInheritedWithItsSocketTarget()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("report-fd");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        using var link = SocketPair.Create();
        guard.WatchFdTarget(link.ParentTarget);
        guard.WatchFdTarget(link.ChildTarget);
        var childFd = link.ChildFd;
        await using var vassal = TestProcess.StartTestVassal(guard, ["--report", path, "--exit", "0"], link: link);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        var report = ReportFile.Load(path);

        Assert.Contains(childFd, report.InheritedFds);
        Assert.Equal(link.ChildTarget, report.FdTargets[childFd]);
        Assert.Equal(childFd.ToString(System.Globalization.CultureInfo.InvariantCulture), report.Environment["UWSGI_EMPEROR_FD"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Report_LimitsUmaskAndPdeathsigSetBeforeExec_AreReported()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("report-limits");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();

        // setpriv, prlimit and sh each exec the next, so testvassal keeps their pid and settings.
        await using var vassal = TestProcess.Start(
            guard,
            "/usr/bin/setpriv",
            ["--pdeathsig", "KILL", "--",
             "/usr/bin/prlimit", "--nofile=100:200", "--nproc=300:400", "--as=8589934592:unlimited", "--",
             "/bin/sh", "-c", "umask 027; exec \"$0\" \"$@\"", TestPaths.TestVassalBinary, "--report", path, "--exit", "0"],
            workingDirectory: dir.Path);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        var report = ReportFile.Load(path);

        Assert.Equal(vassal.Pid, report.Pid);
        Assert.Equal(9, report.ParentDeathSignal);
        Assert.Equal(Convert.ToInt32("027", 8), report.Umask);
        Assert.Equal(200UL, report.OpenFilesLimit.Hard); // the runtime lifts the soft limit to the hard one
        Assert.Equal(new ResourceLimit(300, 400), report.ProcessesLimit);
        Assert.Equal(new ResourceLimit(8589934592, null), report.AddressSpaceLimit);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Report_CredentialsSetBeforeExec_AreReported()
    {
        var cancel = TestContext.Current.CancellationToken;
        Assert.SkipUnless(ProcStatus.First(Environment.ProcessId, "Uid") == 0, "switching uid/gid/groups needs root");
        using var dir = new TempDir("report-creds");
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("777", 8));
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();

        await using var vassal = TestProcess.Start(
            guard,
            "/usr/bin/setpriv",
            ["--reuid", "65534", "--regid", "65534", "--groups", "4,5", "--",
             TestPaths.TestVassalBinary, "--report", path, "--exit", "0"],
            workingDirectory: dir.Path);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        var report = ReportFile.Load(path);

        Assert.Equal((65534, 65534, 65534, 65534), (report.Uid, report.Gid, report.EffectiveUid, report.EffectiveGid));
        Assert.Equal([4, 5], report.Groups);
    }
}
