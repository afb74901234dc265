using Emperor.IntegrationTests.Emperor;
using Emperor.Testing;

namespace Emperor.IntegrationTests.FirstContact;

/// <summary>
/// A running Emperor as a newcomer meets it: a source that is not there yet is waited for and picked up,
/// <c>emperor ls</c> finds the Emperor without flags through the default command socket (shared politely by
/// several Emperors, named by --emperor-id, a stale file replaced), and signals a shell left ignored still work.
/// Each test points the default place at its own folder (EMPEROR_RUNTIME_DIR) so that parallel runs stay apart.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class FirstContactEmperorTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("dir")]
    [InlineData("glob")]
    public Task MissingSource_IsReportedOnce_ThenPickedUpWhenItAppears(string kind) => EmperorScenario.RunAsync("missing-source", async s =>
    {
        var directory = s.PathOf("later/vassals");
        var source = kind == "dir" ? directory : "glob://" + directory + "/*.ini";
        var emperor = await s.StartEmperorWithAsync(["--emperor", source, "--emperor-command-socket", "none", "--emperor-freq", "60"]);
        await emperor.WaitForLineAsync($"{directory} does not exist (yet); watching for it to appear", EmperorScenario.Prompt, s.Cancel);

        Directory.CreateDirectory(directory);
        s.WriteVassal("a.ini", VassalFile.Sleep(100071), directory);

        // --emperor-freq 60: within the deadline only inotify on the nearest existing ancestor can bring it in.
        await emperor.WaitForLineAsync($"{directory} appeared; watching it", EmperorScenario.Prompt, s.Cancel);
        await emperor.WaitForRunningPidAsync(kind == "dir" ? "a.ini" : Path.Combine(directory, "a.ini"), EmperorScenario.Prompt, s.Cancel);
        Assert.Single(emperor.LinesContaining("does not exist (yet)"));
        Assert.False(emperor.HasExited);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task Ls_WithoutFlags_FindsTheRunningEmperor_OnTheDefaultSocket() => EmperorScenario.RunAsync("default-socket", async s =>
    {
        var run = s.PathOf("run");
        KeyValuePair<string, string>[] env = [new("EMPEROR_RUNTIME_DIR", run)];
        var emperor = await s.StartEmperorWithAsync(["--emperor", s.VassalDir], env);
        s.WriteVassal("a.ini", VassalFile.Sleep(100072));
        await emperor.WaitForRunningPidAsync("a.ini", EmperorScenario.Prompt, s.Cancel);

        var socket = Path.Combine(run, "emperor.sock");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(run));
        Assert.NotEmpty(emperor.LinesContaining($"*** Emperor command socket enabled on {socket} ***"));

        var ls = await Cli.RunAsync(s.Guard, ["ls"], s.Cancel, env);
        Assert.True(ls.ExitCode == 0, ls.Stderr);
        Assert.Contains("a.ini", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("running", ls.Stdout, StringComparison.Ordinal);

        var stats = await Cli.RunAsync(s.Guard, ["stats"], s.Cancel, env);
        Assert.Contains($"\"pid\": {emperor.Pid}", stats.Stdout, StringComparison.Ordinal);

        var stop = await Cli.RunAsync(s.Guard, ["stop", "a.ini"], s.Cancel, env);
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        await emperor.WaitForStatsAsync(x => x.RunningPid("a.ini") is null, EmperorScenario.Prompt, "a.ini to be stopped", s.Cancel);

        // With nobody listening, ls says where it looked, in one line.
        var nobody = await Cli.RunAsync(s.Guard, ["ls"], s.Cancel, [new("EMPEROR_RUNTIME_DIR", s.PathOf("elsewhere"))]);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no running Emperor found", Assert.Single(nobody.StderrLines), StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task SeveralEmperors_ShareTheDefaultPlace_ByName() => EmperorScenario.RunAsync("several", async s =>
    {
        KeyValuePair<string, string>[] env = [new("EMPEROR_RUNTIME_DIR", s.PathOf("run"))];
        Directory.CreateDirectory(s.PathOf("b"));
        var first = await s.StartEmperorWithAsync(["--emperor", s.VassalDir], env);
        var second = await s.StartEmperorWithAsync(["--emperor", s.PathOf("b")], env);
        await second.WaitForLineAsync("another running Emperor answers on the default command socket", EmperorScenario.Prompt, s.Cancel);
        Assert.Empty(first.LinesContaining("another running Emperor"));

        var named = await s.StartEmperorWithAsync(["--emperor", s.PathOf("b"), "--emperor-id", "b"], env);
        s.WriteVassal("a.ini", VassalFile.Sleep(100073));
        s.WriteVassal("b.ini", VassalFile.Sleep(100074), s.PathOf("b"));
        await first.WaitForRunningPidAsync("a.ini", EmperorScenario.Prompt, s.Cancel);
        await named.WaitForRunningPidAsync("b.ini", EmperorScenario.Prompt, s.Cancel);

        var unnamed = await Cli.RunAsync(s.Guard, ["ls", "--json"], s.Cancel, env);
        Assert.Contains("a.ini", unnamed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("b.ini", unnamed.Stdout, StringComparison.Ordinal);

        var byName = await Cli.RunAsync(s.Guard, ["ls", "--json", "--id", "b"], s.Cancel, env);
        Assert.True(byName.ExitCode == 0, byName.Stderr);
        Assert.Contains("b.ini", byName.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("a.ini", byName.Stdout, StringComparison.Ordinal);

        var wrong = await Cli.RunAsync(s.Guard, ["ls", "--id", "c"], s.Cancel, env);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("no running Emperor named \"c\"", Assert.Single(wrong.StderrLines), StringComparison.Ordinal);
        Assert.False(second.HasExited);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task StaleDefaultSocket_IsReplaced() => EmperorScenario.RunAsync("stale-socket", async s =>
    {
        // An Emperor killed with SIGKILL cannot remove its socket file: that is the stale file a newcomer finds.
        var run = s.PathOf("run");
        var path = Path.Combine(run, "emperor.sock");
        KeyValuePair<string, string>[] env = [new("EMPEROR_RUNTIME_DIR", run)];
        var killed = await s.StartEmperorWithAsync(["--emperor", s.VassalDir], env);
        killed.Kill();
        Assert.True(File.Exists(path), "the killed Emperor's socket file should stay behind");
        Assert.Equal(1, (await Cli.RunAsync(s.Guard, ["ls"], s.Cancel, env)).ExitCode);

        var emperor = await s.StartEmperorWithAsync(["--emperor", s.VassalDir], env);
        Assert.NotEmpty(emperor.LinesContaining($"*** Emperor command socket enabled on {path} ***"));
        Assert.Empty(emperor.LinesContaining("another running Emperor"));
        var ls = await Cli.RunAsync(s.Guard, ["ls"], s.Cancel, env);
        Assert.True(ls.ExitCode == 0, ls.Stderr);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = 60_000)]
    [InlineData(Signals.Sigint, "INT QUIT")]
    [InlineData(3, "INT QUIT")] // SIGQUIT
    [InlineData(Signals.Sigterm, "TERM")]
    public async Task Ragnarok_OnASignalIgnoredWhenTheEmperorStarted(int signal, string trapped)
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var dir = new TempDir("ignored-signals");
        var vassals = Directory.CreateDirectory(dir.Combine("vassals")).FullName;

        // The harness really starts programs with these signals ignored: a cat of its own status shows them so.
        var probe = ShellStartedEmperor.ShellStart(trapped, "cat", ["/proc/self/status"]);
        guard.Tag(probe);
        using (var cat = ChildLauncher.Start(probe))
        {
            var status = await cat.StandardOutput.ReadToEndAsync(cancel);
            await cat.WaitForExitAsync(cancel);
            var mask = Convert.ToUInt64(status.Split('\n').Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim(), 16);
            Assert.True((mask & (1UL << (signal - 1))) != 0, $"the shell did not leave signal {signal} ignored (SigIgn {mask:x})");
        }

        // Disposed (SIGKILLed if still running) before the guard checks that nothing of the test is left.
        using var emperor = await ShellStartedEmperor.StartAsync(guard, trapped, ["--emperor", vassals, "--emperor-command-socket", "none", "--reload-mercy", "3"], cancel);
        {
            File.WriteAllText(Path.Combine(vassals, "s.ini"), VassalFile.Sleep(100075));
            await emperor.WaitForLineAsync("vassal s.ini has been spawned", cancel);
            Assert.True(ProcessTree.Kill(emperor.Pid, signal));
            await Wait.UntilAsync(() => emperor.HasExited, TimeSpan.FromSeconds(15), "the Emperor to exit after the signal", cancel);
            await emperor.WaitForLineAsync("The Emperor is buried.", cancel);
            Assert.Equal(0, emperor.ExitCode);
            Assert.Contains(emperor.Lines, l => l.Contains("RAGNAROK EVOKED", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Sighup_IgnoredWhenTheEmperorStarted_StillReloads()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var dir = new TempDir("ignored-hup");
        var vassals = Directory.CreateDirectory(dir.Combine("vassals")).FullName;
        using var emperor = await ShellStartedEmperor.StartAsync(guard, "HUP USR1", ["--emperor", vassals, "--emperor-command-socket", "none", "--reload-mercy", "3"], cancel);
        {
            File.WriteAllText(Path.Combine(vassals, "s.ini"), VassalFile.Sleep(100076));
            await emperor.WaitForLineAsync("vassal s.ini has been spawned", cancel);
            Assert.True(ProcessTree.Kill(emperor.Pid, Signals.Sighup));
            await emperor.WaitForLineAsync("SIGHUP: reloading 1 vassals", cancel);
            Assert.True(ProcessTree.Kill(emperor.Pid, Signals.Sigusr1));
            await emperor.WaitForLineAsync("vassal instance s.ini (", cancel);
            Assert.True(ProcessTree.Kill(emperor.Pid, Signals.Sigterm));
            await Wait.UntilAsync(() => emperor.HasExited, TimeSpan.FromSeconds(15), "the Emperor to exit after SIGTERM", cancel);
            Assert.Equal(0, emperor.ExitCode);
        }
    }
}
