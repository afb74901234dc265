using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.FirstContact;

/// <summary>One run of the <c>emperor</c> executable with chosen environment variables: exit code and both streams.</summary>
internal sealed record Cli(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<Cli> RunAsync(LeakGuard guard, IEnumerable<string> arguments, CancellationToken cancel, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var start = new ProcessStartInfo(TestPaths.EmperorBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        guard.Tag(start);
        using var process = ChildLauncher.Start(start);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancel);
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(deadline.Token);
            return new Cli(process.ExitCode, await stdout, await stderr);
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
