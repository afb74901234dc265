using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>testvassal's --log-signals and --ignore-sigterm, with real signals.</summary>
public sealed class TestVassalSignalTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task LogSignals_HupAndUsr1_AreLoggedAndSurvived()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("signals");
        var log = dir.Combine("signals.log");
        await using var guard = new LeakGuard();
        await using var vassal = await StartedAsync(guard, dir, ["--log-signals", log], cancel);

        Assert.True(vassal.Signal(Signals.Sighup));
        await Wait.UntilAsync(() => Lines(log) is ["HUP"], Deadlines.Child, "HUP in the signal log", cancel);
        Assert.True(vassal.Signal(Signals.Sigusr1));
        await Wait.UntilAsync(() => Lines(log) is ["HUP", "USR1"], Deadlines.Child, "USR1 in the signal log", cancel);

        Assert.False(vassal.HasExited);
    }

    [Theory(Timeout = Deadlines.Test)]
    [InlineData(Signals.Sigterm, "TERM")]
    [InlineData(Signals.Sigint, "INT")]
    [InlineData(Signals.Sigquit, "QUIT")]
    public async Task LogSignals_TerminationSignal_IsLoggedThenKillsTheProcess(int signal, string name)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("signals-die");
        var log = dir.Combine("signals.log");
        await using var guard = new LeakGuard();
        await using var vassal = await StartedAsync(guard, dir, ["--log-signals", log], cancel);

        Assert.True(vassal.Signal(signal));

        Assert.Equal(Signals.DeathExitCode(signal), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        Assert.Equal([name], Lines(log));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LogSignals_WithIgnoreSigterm_TermIntQuitAreLoggedAndSurvived()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("signals-ignore");
        var log = dir.Combine("signals.log");
        await using var guard = new LeakGuard();
        await using var vassal = await StartedAsync(guard, dir, ["--log-signals", log, "--ignore-sigterm"], cancel);

        foreach (var (signal, expected) in new[] { (Signals.Sigterm, "TERM"), (Signals.Sigint, "INT"), (Signals.Sigquit, "QUIT") })
        {
            Assert.True(vassal.Signal(signal));
            await Wait.UntilAsync(() => Lines(log).LastOrDefault() == expected, Deadlines.Child, $"{expected} in the signal log", cancel);
        }

        Assert.False(vassal.HasExited);
        Assert.True(vassal.Signal(Signals.Sigkill));
        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task IgnoreSigterm_Term_IsSurvivedAndOnlySigkillEndsIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("ignore-term");
        await using var guard = new LeakGuard();
        await using var vassal = await StartedAsync(guard, dir, ["--ignore-sigterm"], cancel);

        Assert.True(vassal.Signal(Signals.Sigterm));
        await vassal.WaitForStandardErrorLineAsync("testvassal: received SIGTERM, carrying on", Deadlines.Child, cancel);
        Assert.False(vassal.HasExited);

        Assert.True(vassal.Signal(Signals.Sigkill));
        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task NoSignalFlags_Term_KillsTheProcess()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("plain-term");
        await using var guard = new LeakGuard();
        await using var vassal = await StartedAsync(guard, dir, [], cancel);

        Assert.True(vassal.Signal(Signals.Sigterm));

        Assert.Equal(Signals.DeathExitCode(Signals.Sigterm), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
    }

    /// <summary>
    /// Starts testvassal and waits for its report, which it writes after installing its signal
    /// handlers, so a signal sent afterwards meets them. Runs in <paramref name="dir"/> so that a
    /// core dump from SIGQUIT, if the machine writes one, goes away with it.
    /// </summary>
    private static async Task<TestProcess> StartedAsync(LeakGuard guard, TempDir dir, string[] arguments, CancellationToken cancel)
    {
        var report = dir.Combine("report");
        var vassal = TestProcess.StartTestVassal(guard, [.. arguments, "--report", report], workingDirectory: dir.Path);
        try
        {
            _ = await Wait.ForValueAsync(() => ReportFile.TryLoad(report), Deadlines.Child, "the report", cancel);
            return vassal;
        }
        catch
        {
            await vassal.DisposeAsync();
            throw;
        }
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
