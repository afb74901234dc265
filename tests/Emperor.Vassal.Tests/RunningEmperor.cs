using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// A real Emperor (<c>emperor --emperor DIR ...</c>) started by a test. Dispose stops it the polite way
/// (SIGTERM: Ragnarok stops every vassal) and waits for it; SIGKILL only if it does not exit in time.
/// </summary>
internal sealed class RunningEmperor : IAsyncDisposable
{
    private RunningEmperor(ProcessUnderTest process) => Process = process;

    public ProcessUnderTest Process { get; }

    /// <summary>The Emperor's log lines so far (it logs on stderr).</summary>
    public IReadOnlyList<string> Log => Process.StandardErrorLines;

    public static RunningEmperor Start(LeakGuard guard, string vassalsDir, params string[] options) =>
        new(ProcessUnderTest.Start(guard, TestPaths.EmperorBinary, ["--emperor", vassalsDir, .. options], workingDirectory: "/"));

    /// <summary>Log lines containing <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LinesContaining(string text) =>
        [.. Log.Where(l => l.Contains(text, StringComparison.Ordinal))];

    public Task<string> WaitForLogAsync(string text, CancellationToken cancel) =>
        Process.WaitForStandardErrorAsync(l => l.Contains(text, StringComparison.Ordinal), Deadlines.Emperor, $"the Emperor to log '{text}'", cancel);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited && Process.Signal(Signals.Term))
            {
                await Process.WaitForExitAsync(Deadlines.Child);
            }
        }
        finally
        {
            await Process.DisposeAsync();
        }
    }
}
