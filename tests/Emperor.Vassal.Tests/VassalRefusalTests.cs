using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// Never silent (issue #15 §5): an option uWSGI applies before it execs a binary patch and the vassal role does not
/// carry out is refused with one line naming file, line and option plus the --binary-path hint; app-server options
/// are ignored and named once at debug level.
/// </summary>
public sealed class VassalRefusalTests
{
    private const string Prefix = "emperor: vassal app.ini: ";
    private const string Hint = "start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI";

    [Fact(Timeout = Deadlines.Test)]
    public async Task RefusedOption_OneLineWithFileLineAndHint_AndTheProgramNeverRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-one");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["uid = 65534", "setns = /run/other-ns", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(
            run,
            $"{Prefix}{ini}:3: setns = /run/other-ns: not supported by the Emperor's vassal role (a namespace or jail the vassal role does not set up); {Hint}",
            cancel);
        Assert.False(File.Exists(box.Report), "the program ran although an option was refused");
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task TwoRefusedOptions_ExactlyOneLineEach_InFileOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-two");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["pidfile = /tmp/app.pid", "processes = 4", "fastcgi-socket = 127.0.0.1:0", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.Equal(1, code);
        Assert.Equal(
            [
                $"{Prefix}{ini}:2: pidfile = /tmp/app.pid: not supported by the Emperor's vassal role (uWSGI applies it before it execs the program, the vassal role does not); {Hint}",
                $"{Prefix}{ini}:4: fastcgi-socket = 127.0.0.1:0: not supported by the Emperor's vassal role (the vassal role binds only socket, http-socket, uwsgi-socket and shared-socket, with default options); {Hint}",
            ],
            run.StandardErrorLines);
    }

    /// <summary>
    /// A subscription the Emperor did not take (tyrant mode, or no Emperor): the app runs, and one line per
    /// subscription says no router hears of it.
    /// </summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task SubscriptionNobodyAnnounces_IsOneLineEach_AndTheProgramRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-subscription");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["subscribe-to = 127.0.0.1:7000:a.example", "subscribe2 = server=127.0.0.1:7000,key=b.example", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini);

        await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.True(File.Exists(box.Report), "the program did not run: " + run.Output);
        Assert.Equal(
            [
                $"{Prefix}{ini}:2: subscribe-to = 127.0.0.1:7000:a.example: not announced: the Emperor announces the vassals whose file it reads (not tyrant-mode ones); a real uwsgi vassal (--binary-path) announces itself",
                $"{Prefix}{ini}:3: subscribe2 = server=127.0.0.1:7000,key=b.example: not announced: the Emperor announces the vassals whose file it reads (not tyrant-mode ones); a real uwsgi vassal (--binary-path) announces itself",
            ],
            run.StandardErrorLines.Where(l => l.Contains("not announced", StringComparison.Ordinal)));
    }

    /// <summary>The seed example with a typo: uWSGI would refuse "unshar" as unrecognised; ignoring it would run the program unjailed.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task MistypedJailOption_IsRefusedWithTheSuggestion()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-typo");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["uid = 1000", "gid = 1000", "unshar = net", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(
            run,
            $"{Prefix}{ini}:4: unshar = net: unknown option; did you mean unshare? (uWSGI refuses an unknown option; ignored, this one could run the program without what the file asks for)",
            cancel);
        Assert.False(File.Exists(box.Report));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task RefusedOptionOnTheCommandLine_NamesTheCommandLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-cli");
        await using var guard = new LeakGuard();
        var ini = box.Ini(VassalRun.ReportingApp(box.Report));
        await using var run = VassalRun.Start(guard, ini, arguments: ["--ini", ini, "--pidfile", box.Combine("pid")]);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.Equal(1, code);
        var line = Assert.Single(run.StandardErrorLines);
        Assert.Contains($"pidfile = {box.Combine("pid")}: not supported by the Emperor's vassal role", line, StringComparison.Ordinal);
        Assert.EndsWith(Hint, line, StringComparison.Ordinal);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AppServerOptions_WithAPatch_AreIgnored_AndNamedOnceAtDebugLevel()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ignore-debug");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["processes = 4", "harakiri = 30", "module = app:application", "processes = 8", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini, environment: [new("EMPEROR_LOG_LEVEL", "debug")]);

        var report = await VassalRun.ReportAfterExitAsync(run, box.Report, cancel);

        Assert.Equal(0, report.Uid);
        Assert.Equal(
            [$"{Prefix}ignored for a binary patch (read only by uWSGI's app server): processes, harakiri, module"],
            EmperorLines(run));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AppServerOptions_WithAPatch_WithoutDebug_SayNothing()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("ignore-quiet");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["processes = 4", "master = true", .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini, environment: [new("EMPEROR_LOG_LEVEL", "info")]);

        await VassalRun.ReportAfterExitAsync(run, box.Report, cancel);

        Assert.Empty(EmperorLines(run));
    }

    /// <summary>Our lines; testvassal also says it ignores the vassal's own arguments (--ini FILE) the patch passes on.</summary>
    private static List<string> EmperorLines(TestProcess run) =>
        [.. run.StandardErrorLines.Where(l => l.StartsWith("emperor:", StringComparison.Ordinal))];

    /// <summary>Issue #17: a config with thousands of warnings must not print thousands of lines at every start.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task ManyDiagnostics_AFewLinesAndACount_AndTheProgramStillRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("refuse-many");
        await using var guard = new LeakGuard();
        var noisy = Enumerable.Range(1, 40).Select(i => $"x{i} = %(nope{i})").ToArray(); // 40 warnings: undefined placeholders
        var ini = box.Ini([.. noisy, .. VassalRun.ReportingApp(box.Report)]);
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.ReportAfterExitAsync(run, box.Report, cancel);
        var lines = EmperorLines(run);
        Assert.Equal(6, lines.Count);
        Assert.All(lines.Take(5), l => Assert.Contains(": warning: %(nope", l, StringComparison.Ordinal));
        Assert.Equal($"{Prefix}… and 35 more diagnostics (--show-config with the same arguments lists them all)", lines[5]);
    }
}
