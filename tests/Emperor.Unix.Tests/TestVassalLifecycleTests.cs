using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>testvassal's plain modes: sleep, exit N, crash after a delay, bad usage.</summary>
public sealed class TestVassalLifecycleTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Exit_WithCode_ExitsWithThatCode()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--exit", "7"]);

        Assert.Equal(7, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Exit_FromEnvironmentVariable_ExitsWithThatCode()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, [], [new("TESTVASSAL_EXIT", "5")]);

        Assert.Equal(5, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Exit_ArgvAndEnvironmentBothSet_ArgvWins()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--exit", "3"], [new("TESTVASSAL_EXIT", "5")]);

        Assert.Equal(3, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task CrashAfter_Delay_ExitsWithOneNoSoonerThanTheDelay()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        var clock = Stopwatch.StartNew();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--crash-after", "300"]);

        Assert.Equal(1, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"exited after {clock.ElapsedMilliseconds} ms");
        await vassal.WaitForStandardErrorLineAsync("testvassal: crashing after 300 ms, exiting with 1", Deadlines.Child, cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task NoFlags_Started_SleepsUntilKilled()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("sleep");
        var report = dir.Combine("report");
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--report", report]);

        // The report is its last start-up step; it then sleeps, in the kernel's 'S' state.
        _ = await Wait.ForValueAsync(() => ReportFile.TryLoad(report), Deadlines.Child, "the report", cancel);
        await Wait.UntilAsync(() => ProcessTree.TryReadStat(vassal.Pid)?.State == 'S', Deadlines.Child, "the vassal to sleep", cancel);
        Assert.False(vassal.HasExited);

        Assert.True(vassal.Signal(Signals.Sigkill));
        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task BadValue_ExitOutOfRange_ExitsWithUsageError()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--exit", "300"]);

        Assert.Equal(64, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync("testvassal: --exit: '300' is not an integer in [0, 255]", Deadlines.Child, cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownArguments_UwsgiStyleArgv_AreIgnoredAndLogged()
    {
        var cancel = TestContext.Current.CancellationToken;
        // An Emperor may start it as `testvassal --ini NAME.ini` (binary patch keeps uWSGI's argv).
        await using var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, ["--ini", "app.ini", "--exit", "0"]);

        Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await vassal.WaitForStandardErrorLineAsync("testvassal: ignoring argument '--ini'", Deadlines.Child, cancel);
        await vassal.WaitForStandardErrorLineAsync("testvassal: ignoring argument 'app.ini'", Deadlines.Child, cancel);
    }
}
