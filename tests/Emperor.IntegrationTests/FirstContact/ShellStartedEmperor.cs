using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.IntegrationTests.FirstContact;

/// <summary>
/// An Emperor started the way a script starts a background job: <c>sh -c 'trap "" SIGNALS; exec emperor ARGS'</c>,
/// so that it inherits those signals as ignored. Output is collected line by line; the caller kills it in finally.
/// </summary>
internal sealed class ShellStartedEmperor : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    private ShellStartedEmperor(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The trap line a shell runs before it execs <paramref name="program"/>.</summary>
    public static ProcessStartInfo ShellStart(string trappedSignals, string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' {trappedSignals}; exec \"$0\" \"$@\"");
        start.ArgumentList.Add(program);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    public static async Task<ShellStartedEmperor> StartAsync(LeakGuard guard, string trappedSignals, IEnumerable<string> arguments, CancellationToken cancel)
    {
        var start = ShellStart(trappedSignals, TestPaths.EmperorBinary, arguments);
        guard.Tag(start);
        var emperor = new ShellStartedEmperor(ChildLauncher.Start(start));
        emperor._process.OutputDataReceived += (_, e) => emperor.OnLine(e.Data);
        emperor._process.ErrorDataReceived += (_, e) => emperor.OnLine(e.Data);
        emperor._process.BeginOutputReadLine();
        emperor._process.BeginErrorReadLine();
        await emperor.WaitForLineAsync("*** starting Emperor ***", cancel);
        return emperor;
    }

    public async Task WaitForLineAsync(string fragment, CancellationToken cancel)
    {
        try
        {
            await Wait.UntilAsync(() => Lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)), TimeSpan.FromSeconds(15), $"a line containing '{fragment}'", cancel);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n  output so far:\n  " + string.Join("\n  ", Lines), e);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(_process.Id, 9);
            Wait.Until(() => _process.HasExited, TimeSpan.FromSeconds(10), "the shell-started Emperor to die after SIGKILL");
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _lines.Add(line);
            }
        }
    }
}
