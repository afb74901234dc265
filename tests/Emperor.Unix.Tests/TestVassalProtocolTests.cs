using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>testvassal speaking the emperor protocol (spec §7) over a real socketpair.</summary>
public sealed class TestVassalProtocolTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Send_Bytes_ArriveInOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--send", "1,5,17"], link: link);

        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        Assert.Equal(5, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        Assert.Equal(17, await link.ReceiveByteAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Protocol_FromEnvironmentVariables_SendsTheBytes()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, [], [new("TESTVASSAL_PROTOCOL", "1"), new("TESTVASSAL_SEND", "17,22")], link);

        Assert.Equal(17, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        Assert.Equal(22, await link.ReceiveByteAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task ReloadByte_Received_ReExecsInPlaceWithSamePidArgvAndEnvironment()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("reload");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--send", "1", "--report", path], link: link);

        // The report is written before the start bytes are sent, by each exec of the program.
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        var before = ReportFile.Load(path);

        link.SendByte(1);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        var after = ReportFile.Load(path);

        Assert.False(vassal.HasExited);
        Assert.Equal(vassal.Pid, after.Pid);
        Assert.NotEqual(before.ExecId, after.ExecId);
        Assert.Equal(before.Argv, after.Argv);
        Assert.Equal(before.Environment, after.Environment);
        Assert.Contains(int.Parse(after.Environment["UWSGI_EMPEROR_FD"], System.Globalization.CultureInfo.InvariantCulture), after.InheritedFds);
        await vassal.WaitForStandardErrorLineAsync("testvassal: received byte 1", Deadlines.Child, cancel);
        await vassal.WaitForStandardErrorLineAsync("testvassal: reload requested, re-executing in place", Deadlines.Child, cancel);

        link.SendByte(0);
        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task ReloadByte_WithReloadExit_ExitsZero()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--reload-exit", "--send", "1"], link: link);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));

        link.SendByte(1);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync("testvassal: reload requested, exiting with 0 (--reload-exit)", Deadlines.Child, cancel);
    }

    [Theory(Timeout = Deadlines.Test)]
    [InlineData(0, "testvassal: stop requested, exiting with 0")]
    [InlineData(2, "testvassal: graceful stop requested, exiting with 0")]
    public async Task StopByte_Received_ExitsZeroAndClosesTheLink(byte stop, string logLine)
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--send", "1"], link: link);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));

        link.SendByte(stop);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        Assert.Equal(-1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync($"testvassal: received byte {stop}", Deadlines.Child, cancel);
        await vassal.WaitForStandardErrorLineAsync(logLine, Deadlines.Child, cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LinkClosed_ByTheEmperor_ExitsOneWithLogLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--send", "1"], link: link);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));

        link.Dispose();

        Assert.Equal(1, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync("testvassal: lost connection with my emperor (EOF on the link), exiting with 1", Deadlines.Child, cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Heartbeat_Interval_ByteTwentySixArrivesRepeatedly()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        var clock = Stopwatch.StartNew();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--heartbeat", "50"], link: link);

        for (var beat = 0; beat < 3; beat++)
        {
            Assert.Equal(26, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        }

        // Three beats at 50 ms intervals cannot all have arrived in much less than 150 ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(100), $"three heartbeats after {clock.ElapsedMilliseconds} ms");
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownByte_Received_IsLoggedAndIgnored()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--send", "1"], link: link);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));

        link.SendByte(42);

        await vassal.WaitForStandardErrorLineAsync("testvassal: received byte 42", Deadlines.Child, cancel);
        Assert.False(vassal.HasExited);
        link.SendByte(0);
        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Protocol_WithoutEmperorFd_ExitsWithUsageError()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol"]);

        Assert.Equal(64, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync("testvassal: --protocol needs UWSGI_EMPEROR_FD=<fd number>, got ''", Deadlines.Child, cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task SpawnChild_WithProtocol_GrandchildDoesNotHoldTheLink()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("link-cloexec");
        var path = dir.Combine("report");
        await using var guard = new LeakGuard();
        using var link = WatchedLink(guard);
        await using var vassal = TestProcess.StartTestVassal(guard, ["--protocol", "--spawn-child", "--report", path, "--send", "1"], link: link);
        Assert.Equal(1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
        var grandchild = ReportFile.Load(path).ChildPid ?? throw new InvalidOperationException("no child= in the report");
        try
        {
            link.SendByte(0);
            Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));

            // EOF although the grandchild lives on: it never had the link.
            Assert.Equal(-1, await link.ReceiveByteAsync(Deadlines.Child, cancel));
            Assert.True(ProcessTree.IsRunning(grandchild));
            Assert.DoesNotContain(link.ChildTarget, ProcessTree.OpenFds(grandchild).Values);
        }
        finally
        {
            _ = ProcessTree.Kill(grandchild, Signals.Sigkill);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die", cancel);
        }
    }

    private static SocketPair WatchedLink(LeakGuard guard)
    {
        var link = SocketPair.Create();
        guard.WatchFdTarget(link.ParentTarget);
        guard.WatchFdTarget(link.ChildTarget);
        return link;
    }
}
