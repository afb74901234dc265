using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// A process a test started (an <c>emperor</c>, or a wrapper such as setpriv that execs one): tagged with the
/// test's <see cref="LeakGuard"/> token, stdout and stderr captured line by line, chosen fds inherited.
/// Dispose SIGKILLs it if it still runs and waits until it is reaped.
/// </summary>
internal sealed class ProcessUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan s_reapDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _lock = new();

    private ProcessUnderTest(Process process)
    {
        _process = process;
        Pid = process.Id;
    }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (.NET reports death by signal N as 128+N). Only valid once exited.</summary>
    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> StandardOutputLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> StandardErrorLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>Both streams, for failure messages.</summary>
    public string Output => $"stdout:{Lines(StandardOutputLines)}\nstderr:{Lines(StandardErrorLines)}";

    /// <summary>
    /// Starts <paramref name="program"/>; the fds in <paramref name="inheritedFds"/> are inherited (they
    /// lose FD_CLOEXEC just for the spawn, see <see cref="ChildLauncher"/>).
    /// </summary>
    public static ProcessUnderTest Start(
        LeakGuard guard,
        string program,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        IEnumerable<int>? inheritedFds = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        guard.Tag(start);
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        var process = ChildLauncher.Start(start, [.. inheritedFds ?? []]);
        var run = new ProcessUnderTest(process);
        process.OutputDataReceived += (_, e) => run.Add(run._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => run.Add(run._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for the exit and for both streams to reach EOF; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        try
        {
            await Wait.UntilAsync(() => _process.HasExited, deadline, $"pid {Pid} to exit", cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }

        // HasExited is true once the process is reaped; the parameterless wait also drains the redirected streams.
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Waits until some stderr line satisfies <paramref name="match"/>, and returns it.</summary>
    public async Task<string> WaitForStandardErrorAsync(Func<string, bool> match, TimeSpan deadline, string what, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Wait.ForValueAsync(() => StandardErrorLines.FirstOrDefault(match), deadline, what, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }
    }

    /// <summary>Sends <paramref name="signal"/>; false if the process is already gone.</summary>
    public bool Signal(int signal) => ProcessTree.Kill(Pid, signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(Pid, Signals.Kill);
            await Wait.UntilAsync(() => _process.HasExited, s_reapDeadline, $"pid {Pid} to die after SIGKILL");
        }

        _process.Dispose();
    }

    private static string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(l => "\n  " + l));

    private void Add(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                lines.Add(line);
            }
        }
    }
}

internal static class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
}
