using System.Diagnostics;
using System.Globalization;

namespace Emperor.Testing;

/// <summary>
/// A running testvassal started by a test: tagged with the test's <see cref="LeakGuard"/> token,
/// stderr captured line by line, optionally holding the child end of a <see cref="SocketPair"/> as
/// its emperor link. Dispose SIGKILLs it if it still runs and waits until it is reaped.
/// </summary>
public sealed class TestVassalProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_reapDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly Lock _lock = new();

    private TestVassalProcess(Process process)
    {
        _process = process;
        Pid = process.Id;
    }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (.NET reports death by signal N as 128+N). Only valid once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The stderr lines received so far.</summary>
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

    /// <summary>
    /// Starts testvassal with <paramref name="arguments"/>. With a <paramref name="link"/>, the child
    /// inherits its child end as <c>UWSGI_EMPEROR_FD</c>, and this process's copy is closed.
    /// </summary>
    public static TestVassalProcess Start(
        LeakGuard guard,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        SocketPair? link = null,
        string? workingDirectory = null) =>
        Start(guard, TestPaths.TestVassalBinary, arguments, environment, link, workingDirectory);

    /// <summary>
    /// Starts <paramref name="program"/> (e.g. a wrapper such as setpriv that execs testvassal) the
    /// same way as <see cref="Start(LeakGuard, IEnumerable{string}, IEnumerable{KeyValuePair{string, string}}?, SocketPair?, string?)"/>.
    /// </summary>
    public static TestVassalProcess Start(
        LeakGuard guard,
        string program,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        SocketPair? link = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
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

        Process process;
        if (link is null)
        {
            process = ChildLauncher.Start(start);
        }
        else
        {
            start.Environment["UWSGI_EMPEROR_FD"] = link.ChildFd.ToString(CultureInfo.InvariantCulture);
            process = ChildLauncher.Start(start, link.ChildFd);
            link.CloseChildEnd();
        }

        var vassal = new TestVassalProcess(process);
        process.ErrorDataReceived += (_, e) => vassal.OnStandardError(e.Data);
        process.BeginErrorReadLine();
        return vassal;
    }

    /// <summary>Waits until stderr has shown exactly <paramref name="line"/>.</summary>
    public async Task WaitForStandardErrorLineAsync(string line, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        try
        {
            await Wait.UntilAsync(() => StandardErrorLines.Contains(line), deadline, $"testvassal pid {Pid} to print '{line}' on stderr", cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Its stderr so far:{string.Concat(StandardErrorLines.Select(l => "\n  " + l))}", e);
        }
    }

    /// <summary>Waits for the exit and returns the exit code (128+N for death by signal N).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        await Wait.UntilAsync(() => _process.HasExited, deadline, $"testvassal pid {Pid} to exit", cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/>; false if the process is already gone.</summary>
    public bool Signal(int signal) => ProcessTree.Kill(Pid, signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(Pid, Libc.Sigkill);
            await Wait.UntilAsync(() => _process.HasExited, s_reapDeadline, $"testvassal pid {Pid} to die after SIGKILL");
        }

        _process.Dispose();
    }

    private void OnStandardError(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _stderr.Add(line);
            }
        }
    }
}
