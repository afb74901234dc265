using Emperor.Testing;

namespace Emperor.IntegrationTests.Control;

/// <summary>One run of the <c>emperor</c> executable as a command-line tool: exit code and both streams.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(LeakGuard guard, IEnumerable<string> arguments, CancellationToken cancel, string? asUser = null)
    {
        // setpriv execs the emperor in place, so what runs under the pid is the emperor.
        await using var process = asUser is null
            ? TestProcess.Start(guard, TestPaths.EmperorBinary, arguments)
            : TestProcess.Start(guard, "setpriv", ["--reuid", asUser, "--regid", asUser, "--clear-groups", "--", TestPaths.EmperorBinary, .. arguments]);
        var code = await process.WaitForExitAndOutputAsync(TimeSpan.FromSeconds(20), cancel);
        return new CliRun(code, process.StandardOutputText, process.StandardErrorText);
    }
}
