using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>The smaller Emperor.Testing helpers: Wait, TempDir, TestPaths, ProcessTree, ReportFile.</summary>
public sealed class HelperTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task WaitUntil_ConditionNeverHolds_ThrowsTimeoutNamingWhatWasAwaited()
    {
        var cancel = TestContext.Current.CancellationToken;
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Wait.UntilAsync(() => false, TimeSpan.FromMilliseconds(50), "the moon to turn blue", cancel));

        Assert.Equal("Timed out after 0.05 s waiting for the moon to turn blue.", timeout.Message);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task WaitUntil_ConditionHoldsOnThirdPoll_Returns()
    {
        var cancel = TestContext.Current.CancellationToken;
        var polls = 0;

        await Wait.UntilAsync(() => ++polls == 3, Deadlines.Child, "the third poll", cancel);

        Assert.Equal(3, polls);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task WaitForValue_ProbeReturnsValue_ReturnsIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        var polls = 0;

        var value = await Wait.ForValueAsync(() => ++polls < 2 ? null : "found", Deadlines.Child, "a value", cancel);

        Assert.Equal("found", value);
    }

    [Fact]
    public void TempDir_Dispose_DeletesTheWholeTreeUnderTmp()
    {
        string path;
        using (var dir = new TempDir("helper"))
        {
            path = dir.Path;
            _ = dir.WriteFile("a/b/c.txt", "x");

            Assert.StartsWith("/tmp/emperor-test-helper-", path, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(path, "a", "b", "c.txt")));
        }

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void TestPaths_RepoRoot_HoldsTheSolutionAndTestVassal()
    {
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "Emperor.slnx")));
        Assert.True(File.Exists(TestPaths.TestVassalBinary));
        Assert.True(File.GetUnixFileMode(TestPaths.TestVassalBinary).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void TestPaths_EmperorBinFromEnvironment_IsUsedOrExplained()
    {
        var saved = Environment.GetEnvironmentVariable("EMPEROR_BIN");
        try
        {
            Environment.SetEnvironmentVariable("EMPEROR_BIN", TestPaths.TestVassalBinary);
            Assert.Equal(TestPaths.TestVassalBinary, TestPaths.EmperorBinary);

            Environment.SetEnvironmentVariable("EMPEROR_BIN", "/nonexistent/emperor");
            var missing = Assert.Throws<FileNotFoundException>(() => TestPaths.EmperorBinary);
            Assert.Contains("EMPEROR_BIN", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EMPEROR_BIN", saved);
        }
    }

    [Fact]
    public void OpenFds_SocketPair_BothEndsVisibleUntilDisposed()
    {
        var before = ProcessTree.OpenFdCount(Environment.ProcessId);
        var pair = SocketPair.Create();
        var fds = ProcessTree.OpenFds(Environment.ProcessId);

        Assert.Contains(pair.ParentTarget, fds.Values);
        Assert.Equal(pair.ChildTarget, fds[pair.ChildFd]);
        Assert.Equal(before + 2, fds.Count);

        pair.Dispose();

        Assert.DoesNotContain(pair.ParentTarget, ProcessTree.OpenFds(Environment.ProcessId).Values);
        Assert.DoesNotContain(pair.ChildTarget, ProcessTree.OpenFds(Environment.ProcessId).Values);
    }

    [Fact]
    public void Kill_ThisProcessOrAGroupByMistake_IsRefused()
    {
        _ = Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTree.Kill(Environment.ProcessId, Signals.Sigkill));
        _ = Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTree.Kill(0, Signals.Sigkill));
        _ = Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTree.Kill(-1, Signals.Sigkill));
        var ownGroup = ProcessTree.TryReadStat(Environment.ProcessId)!.Value.ProcessGroup;
        _ = Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTree.KillGroup(ownGroup, Signals.Sigkill));
    }

    [Fact]
    public void ReportFileParse_EscapedLines_AreUnescapedAndTyped()
    {
        const string Text = """
            version=1
            exec_id=abc
            pid=10
            ppid=1
            pgid=10
            sid=10
            uid=0
            gid=0
            euid=0
            egid=0
            groups=
            cwd=/tmp/a\\b
            umask=0027
            rlimit.nofile.soft=1024
            rlimit.nofile.hard=unlimited
            rlimit.nproc.soft=1
            rlimit.nproc.hard=2
            rlimit.as.soft=unlimited
            rlimit.as.hard=unlimited
            pdeathsig=9
            signals.blocked=0000000000000000
            signals.ignored=0000000000001000
            fds=0,3
            fds.inherited=0
            fd.0=/dev/null
            fd.3=socket:[42]
            argc=2
            argv.0=/bin/x
            argv.1=a\nb
            env.A=x=y\r\n
            env.B=
            """;

        var report = ReportFile.Parse(Text);

        Assert.Equal(10, report.Pid);
        Assert.Empty(report.Groups);
        Assert.Equal("/tmp/a\\b", report.WorkingDirectory);
        Assert.Equal(Convert.ToInt32("27", 8), report.Umask);
        Assert.Equal(new ResourceLimit(1024, null), report.OpenFilesLimit);
        Assert.Equal(0x1000UL, report.IgnoredSignals);
        Assert.Equal([0, 3], report.Fds);
        Assert.Equal("socket:[42]", report.FdTargets[3]);
        Assert.Equal(["/bin/x", "a\nb"], report.Argv);
        Assert.Equal("x=y\r\n", report.Environment["A"]);
        Assert.Equal("", report.Environment["B"]);
        Assert.Null(report.ChildPid);
        Assert.Contains("'nope'", Assert.Throws<KeyNotFoundException>(() => report["nope"]).Message, StringComparison.Ordinal);
    }
}
