using System.Diagnostics;
using System.Globalization;

namespace Emperor.Testing;

/// <summary>
/// A process a test started (a testvassal, an <c>emperor</c>, or a wrapper such as setpriv that execs one): tagged
/// with the test's <see cref="LeakGuard"/> token, stdout and stderr captured line by line in arrival order with
/// arrival times, chosen fds inherited, optionally holding the child end of a <see cref="SocketPair"/> as its
/// emperor link. Dispose SIGKILLs it if it still runs and waits until it is reaped.
/// </summary>
/// <remarks>
/// Every child of the tests is started here (through <see cref="ChildLauncher"/>), so the leak tag, the fd
/// inheritance lock and the capture of both streams are the same for all of them.
/// </remarks>
public sealed class TestProcess : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan s_reapDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly List<LogLine> _lines = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
        Pid = process.Id;
    }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (.NET reports death by signal N as 128+N). Only valid once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line of both streams received so far, in arrival order.</summary>
    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public IReadOnlyList<string> StandardOutputLines => [.. Lines.Where(l => !l.IsStandardError).Select(l => l.Text)];

    public IReadOnlyList<string> StandardErrorLines => [.. Lines.Where(l => l.IsStandardError).Select(l => l.Text)];

    /// <summary>Stdout as text: the lines read so far, each with a line end.</summary>
    public string StandardOutputText => string.Concat(StandardOutputLines.Select(l => l + "\n"));

    /// <summary>Stderr as text: the lines read so far, each with a line end.</summary>
    public string StandardErrorText => string.Concat(StandardErrorLines.Select(l => l + "\n"));

    /// <summary>Both streams' lines as text, in arrival order, each with a line end.</summary>
    public string Text => string.Concat(Lines.Select(l => l.Text + "\n"));

    /// <summary>Both streams, for failure messages.</summary>
    public string Output => $"stdout:{Indented(StandardOutputLines)}\nstderr:{Indented(StandardErrorLines)}";

    /// <summary>Starts testvassal (see <see cref="Start"/>).</summary>
    public static TestProcess StartTestVassal(
        LeakGuard guard,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        SocketPair? link = null,
        string? workingDirectory = null) =>
        Start(guard, TestPaths.TestVassalBinary, arguments, environment, link, workingDirectory: workingDirectory);

    /// <summary>
    /// Starts <paramref name="program"/>. The fds in <paramref name="inheritedFds"/> are inherited (they lose
    /// FD_CLOEXEC just for the spawn, see <see cref="ChildLauncher"/>). With a <paramref name="link"/>, the child
    /// inherits its child end as <c>UWSGI_EMPEROR_FD</c>, and this process's copy is closed. Line times are
    /// read from <paramref name="clock"/> (default: a clock started now), so several processes can share one.
    /// Without <paramref name="inheritEnvironment"/> the child gets only <paramref name="environment"/> (and the
    /// guard's tag).
    /// </summary>
    public static TestProcess Start(
        LeakGuard guard,
        string program,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        SocketPair? link = null,
        IEnumerable<int>? inheritedFds = null,
        string? workingDirectory = null,
        Stopwatch? clock = null,
        bool inheritEnvironment = true)
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

        if (!inheritEnvironment)
        {
            start.Environment.Clear();
        }

        guard.Tag(start);
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        List<int> fds = [.. inheritedFds ?? []];
        if (link is not null)
        {
            start.Environment["UWSGI_EMPEROR_FD"] = link.ChildFd.ToString(CultureInfo.InvariantCulture);
            fds.Add(link.ChildFd);
        }

        clock ??= Stopwatch.StartNew();
        var process = ChildLauncher.Start(start, [.. fds]);
        link?.CloseChildEnd();
        var run = new TestProcess(process, clock);
        process.OutputDataReceived += (_, e) => run.OnLine(e.Data, standardError: false);
        process.ErrorDataReceived += (_, e) => run.OnLine(e.Data, standardError: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>
    /// Waits for the exit and returns the exit code (128+N for death by signal N); not for the streams' end, which a
    /// descendant may hold open (a grandchild, a vassal that outlived its Emperor, the server pg_ctl started).
    /// </summary>
    public Task<int> WaitForExitAsync(TimeSpan deadline, CancellationToken cancellationToken = default) =>
        WaitAsync(deadline, drainOutput: false, cancellationToken);

    /// <summary>
    /// Waits for the exit and for both streams to reach EOF (within the same deadline), so the captured lines are
    /// complete; returns the exit code.
    /// </summary>
    public Task<int> WaitForExitAndOutputAsync(TimeSpan deadline, CancellationToken cancellationToken = default) =>
        WaitAsync(deadline, drainOutput: true, cancellationToken);

    /// <summary>Waits until stderr has shown exactly <paramref name="line"/>.</summary>
    public Task WaitForStandardErrorLineAsync(string line, TimeSpan deadline, CancellationToken cancellationToken = default) =>
        WaitForStandardErrorAsync(l => l == line, deadline, $"pid {Pid} to print '{line}' on stderr", cancellationToken);

    /// <summary>Waits until some stderr line satisfies <paramref name="match"/>, and returns it.</summary>
    public async Task<string> WaitForStandardErrorAsync(Func<string, bool> match, TimeSpan deadline, string what, CancellationToken cancellationToken = default) =>
        (await WaitForLineAsync(l => l.IsStandardError && match(l.Text), what, deadline, cancellationToken: cancellationToken)).Text;

    /// <summary>Waits for the first line (of either stream, from index <paramref name="from"/> on) that satisfies <paramref name="match"/>.</summary>
    public async Task<LogLine> WaitForLineAsync(Func<LogLine, bool> match, string what, TimeSpan deadline, int from = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        LogLine? found = null;
        try
        {
            await Wait.UntilAsync(
                () =>
                {
                    found = Lines.Skip(from).Cast<LogLine?>().FirstOrDefault(l => match(l!.Value));
                    return found is not null;
                },
                deadline,
                what,
                cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }

        return found!.Value;
    }

    /// <summary>Sends <paramref name="signal"/>; false if the process is already gone.</summary>
    public bool Signal(int signal) => ProcessTree.Kill(Pid, signal);

    /// <summary>SIGKILL if still running, then wait (briefly) for the runtime to reap it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(Pid, Signals.Sigkill);
            Wait.Until(() => _process.HasExited, s_reapDeadline, $"pid {Pid} to die after SIGKILL");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(Pid, Signals.Sigkill);
            await Wait.UntilAsync(() => _process.HasExited, s_reapDeadline, $"pid {Pid} to die after SIGKILL");
        }

        _process.Dispose();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task<int> WaitAsync(TimeSpan deadline, bool drainOutput, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await Wait.UntilAsync(() => _process.HasExited, deadline, $"pid {Pid} to exit", cancellationToken);
            if (drainOutput)
            {
                var left = deadline - clock.Elapsed;
                await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
            }
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} (pid {Pid}, exited: {HasExited}, streams closed: {_stdoutClosed.Task.IsCompleted}/{_stderrClosed.Task.IsCompleted})\n{Output}", e);
        }

        return _process.ExitCode;
    }

    private static string Indented(IEnumerable<string> lines) => string.Concat(lines.Select(l => "\n  " + l));

    private void OnLine(string? text, bool standardError)
    {
        if (text is null)
        {
            (standardError ? _stderrClosed : _stdoutClosed).TrySetResult();
            return;
        }

        lock (_lock)
        {
            _lines.Add(new LogLine(_lines.Count, _clock.Elapsed, text, standardError));
        }
    }
}
