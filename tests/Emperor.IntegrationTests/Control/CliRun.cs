using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Control;

/// <summary>One run of the <c>emperor</c> executable as a command-line tool: exit code and both streams.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(LeakGuard guard, IEnumerable<string> arguments, CancellationToken cancel, string? asUser = null)
    {
        var start = asUser is null
            ? new ProcessStartInfo(TestPaths.EmperorBinary)
            : new ProcessStartInfo("setpriv", ["--reuid", asUser, "--regid", asUser, "--clear-groups", "--", TestPaths.EmperorBinary]);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        guard.Tag(start);
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancel);
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(deadline.Token);
            return new CliRun(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
