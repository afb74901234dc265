using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>A temp dir anyone may write to (an unprivileged app writes its report there), with vassal files in it.</summary>
internal sealed class Sandbox : IDisposable
{
    public Sandbox(string purpose)
    {
        Dir = new TempDir(purpose);
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)Convert.ToInt32("777", 8));
    }

    public TempDir Dir { get; }

    public string Path => Dir.Path;

    /// <summary>Where the app writes its testvassal report.</summary>
    public string Report => Dir.Combine("report");

    public string Combine(string relative) => Dir.Combine(relative);

    /// <summary>Writes <c>app.ini</c>: an <c>[uwsgi]</c> section with these lines.</summary>
    public string Ini(params string[] lines) => WriteIni("app.ini", lines);

    public string WriteIni(string name, params string[] lines) =>
        Dir.WriteFile(name, "[uwsgi]\n" + string.Concat(lines.Select(l => l + "\n")));

    public void Dispose() => Dir.Dispose();
}

/// <summary>Config lines and runs of <c>emperor --ini FILE</c> whose binary patch is testvassal.</summary>
internal static class VassalRun
{
    /// <summary>The plain unprivileged patch running testvassal, which writes its report and, if asked, exits 0.</summary>
    public static string[] ReportingApp(string reportPath, bool exit = true) =>
    [
        "env = TESTVASSAL_REPORT=" + reportPath,
        .. exit ? ["env = TESTVASSAL_EXIT=0"] : Array.Empty<string>(),
        "unprivileged-binary-patch = " + TestPaths.TestVassalBinary,
    ];

    /// <summary>
    /// Starts <c>emperor --ini INI</c>, or <c>WRAPPER... emperor --ini INI</c>. With a <paramref name="link"/> it
    /// plays the Emperor: the child end is inherited as <c>UWSGI_EMPEROR_FD</c> and then closed here.
    /// </summary>
    public static TestProcess Start(
        LeakGuard guard,
        string ini,
        SocketPair? link = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        IEnumerable<int>? inheritedFds = null,
        IReadOnlyList<string>? wrapper = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? arguments = null)
    {
        List<string> argv = [.. wrapper ?? [], TestPaths.EmperorBinary, .. arguments ?? ["--ini", ini]];
        return TestProcess.Start(guard, argv[0], argv.Skip(1), environment, link, inheritedFds, workingDirectory);
    }

    /// <summary>Waits for the app to exit 0 and returns its report.</summary>
    public static async Task<ReportFile> ReportAfterExitAsync(TestProcess run, string reportPath, CancellationToken cancel)
    {
        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);
        Assert.True(code == 0, $"expected the app to exit 0, got {code}\n{run.Output}");
        return ReportFile.TryLoad(reportPath) ?? throw new InvalidOperationException($"the app exited 0 but wrote no report\n{run.Output}");
    }

    /// <summary>Waits for the report of an app that keeps running; fails at once if the process exits instead.</summary>
    public static async Task<ReportFile> ReportWhileRunningAsync(TestProcess run, string reportPath, CancellationToken cancel) =>
        await Wait.ForValueAsync(
            () => ReportFile.TryLoad(reportPath)
                ?? (run.HasExited ? throw new InvalidOperationException($"pid {run.Pid} exited with {run.ExitCode} before writing a report\n{run.Output}") : null),
            Deadlines.Child,
            "the app's report",
            cancel);

    /// <summary>Waits for the exit and asserts the failure contract: exit code 1, nothing on stdout, exactly this one stderr line.</summary>
    public static async Task AssertFailsWithAsync(TestProcess run, string expectedLine, CancellationToken cancel)
    {
        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);
        Assert.True(code == 1, $"expected exit code 1, got {code}\n{run.Output}");
        Assert.Empty(run.StandardOutputLines);
        Assert.Equal([expectedLine], run.StandardErrorLines);
    }
}
