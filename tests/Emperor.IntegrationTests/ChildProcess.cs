using Emperor.Testing;

namespace Emperor.IntegrationTests;

/// <summary>Runs a program to completion with a deadline and exactly the given environment; nothing it starts may outlive it.</summary>
internal static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        await using var guard = new LeakGuard();
        await using var process = TestProcess.Start(guard, fileName, args, environment, workingDirectory: workingDirectory, inheritEnvironment: false);
        var code = await process.WaitForExitAndOutputAsync(timeout);
        return new ProcessResult(code, process.StandardOutputText, process.StandardErrorText);
    }
}
