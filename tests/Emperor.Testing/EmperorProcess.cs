using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// A running <c>emperor</c> binary started by a test: tagged with the test's <see cref="LeakGuard"/> token,
/// its stdout and stderr (which its vassals share) captured line by line with arrival times, its stats socket
/// one <see cref="StatsAsync"/> away.
/// </summary>
/// <remarks>
/// Never waits for the redirected streams to end: a vassal that outlives the Emperor keeps them open, and that
/// must show up as a leak, not as a hung test. Exit is observed with <see cref="Process.HasExited"/>.
/// </remarks>
internal sealed class EmperorProcess : IDisposable
{
    private static readonly TimeSpan s_statsTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_statsPoll = TimeSpan.FromMilliseconds(50);

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly List<LogLine> _lines = [];
    private readonly Lock _lock = new();

    private EmperorProcess(Process process, Stopwatch clock, int statsPort, IReadOnlyList<string> arguments)
    {
        _process = process;
        _clock = clock;
        Pid = process.Id;
        StatsPort = statsPort;
        Arguments = arguments;
    }

    public int Pid { get; }

    public int StatsPort { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>How many fds the Emperor has open now (/proc/PID/fd).</summary>
    public int FdCount => ProcessTree.OpenFdCount(Pid);

    /// <summary>Every line received so far, in arrival order.</summary>
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

    /// <summary>
    /// Starts the Emperor with <paramref name="arguments"/> and waits until it has logged that it started
    /// (its stats socket is bound by then). Throws, with its output, if it exits instead.
    /// </summary>
    public static async Task<EmperorProcess> StartAsync(
        LeakGuard guard,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        int statsPort,
        IEnumerable<KeyValuePair<string, string>>? environment,
        CancellationToken cancellationToken,
        string? runAsUser = null)
    {
        // setpriv execs the Emperor in place, so the pid we hold is the Emperor's.
        var start = new ProcessStartInfo(runAsUser is null ? TestPaths.EmperorBinary : "setpriv")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (runAsUser is not null)
        {
            foreach (var a in new[] { "--reuid", runAsUser, "--regid", runAsUser, "--clear-groups", "--", TestPaths.EmperorBinary })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        guard.Tag(start);
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = ChildLauncher.Start(start);
        var emperor = new EmperorProcess(process, clock, statsPort, arguments);
        process.ErrorDataReceived += (_, e) => emperor.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => emperor.OnLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            await Wait.UntilAsync(
                () => emperor.HasExited || emperor.Lines.Any(l => l.Text.Contains("*** starting Emperor ***", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10),
                "the Emperor to log '*** starting Emperor ***'",
                cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + emperor.Tail(), e);
        }

        if (emperor.HasExited)
        {
            // Let the last lines arrive before quoting them.
            await Task.Delay(100, cancellationToken);
            throw new InvalidOperationException(
                $"The Emperor exited at start with code {emperor.ExitCode} (args: {string.Join(' ', arguments)}).{emperor.Tail()}");
        }

        return emperor;
    }

    /// <summary>A free TCP port on 127.0.0.1 (bound and released: another process could take it, rarely).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public bool Signal(int signal) => ProcessTree.Kill(Pid, signal);

    /// <summary>Lines (from index <paramref name="from"/> on) whose text contains <paramref name="fragment"/>.</summary>
    public IReadOnlyList<LogLine> LinesContaining(string fragment, int from = 0) =>
        [.. Lines.Skip(from).Where(l => l.Text.Contains(fragment, StringComparison.Ordinal))];

    /// <summary>The index the next line will get: pass it as <c>from</c> to look only at what comes after now.</summary>
    public int Mark() => Lines.Count;

    /// <summary>Waits for the first line (from index <paramref name="from"/> on) that contains <paramref name="fragment"/>.</summary>
    public Task<LogLine> WaitForLineAsync(string fragment, TimeSpan deadline, CancellationToken cancellationToken, int from = 0) =>
        WaitForLineAsync(t => t.Contains(fragment, StringComparison.Ordinal), $"a log line containing '{fragment}'", deadline, cancellationToken, from);

    public async Task<LogLine> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan deadline, CancellationToken cancellationToken, int from = 0)
    {
        LogLine? found = null;
        try
        {
            await Wait.UntilAsync(
                () =>
                {
                    found = Lines.Skip(from).Cast<LogLine?>().FirstOrDefault(l => match(l!.Value.Text));
                    return found is not null;
                },
                deadline,
                what,
                cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + Tail(), e);
        }

        return found!.Value;
    }

    /// <summary>Asks the stats server for one document (one connection, read to EOF) and parses it.</summary>
    public async Task<StatsSnapshot> StatsAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_statsTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, StatsPort, timeout.Token);
            await using var stream = client.GetStream();
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, timeout.Token);
            var latency = clock.Elapsed;
            return StatsSnapshot.Parse(Encoding.UTF8.GetString(buffer.ToArray()), latency);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The stats server on 127.0.0.1:{StatsPort} did not answer within {s_statsTimeout.TotalSeconds} s.{Tail()}");
        }
    }

    /// <summary>Polls the stats every 50 ms until <paramref name="condition"/> holds; returns that snapshot.</summary>
    public async Task<StatsSnapshot> WaitForStatsAsync(Func<StatsSnapshot, bool> condition, TimeSpan deadline, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        StatsSnapshot? last = null;
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"The Emperor exited (code {ExitCode}) while the test waited for {what}.{Tail()}");
            }

            last = await StatsAsync(cancellationToken);
            if (condition(last))
            {
                return last;
            }

            if (clock.Elapsed >= deadline)
            {
                throw new TimeoutException(
                    $"Timed out after {deadline.TotalSeconds:0.###} s waiting for {what}. Last stats: {Summary(last)}{Tail()}");
            }

            await Task.Delay(s_statsPoll, cancellationToken);
        }
    }

    /// <summary>Waits for a running vassal and returns its pid.</summary>
    public async Task<int> WaitForRunningPidAsync(string id, TimeSpan deadline, CancellationToken cancellationToken, Func<int, bool>? accept = null)
    {
        var stats = await WaitForStatsAsync(
            s => s.RunningPid(id) is { } pid && (accept is null || accept(pid)),
            deadline,
            $"vassal {id} to be running" + (accept is null ? "" : " (with an acceptable pid)"),
            cancellationToken);
        return stats.RunningPid(id)!.Value;
    }

    public async Task WaitForExitAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        try
        {
            await Wait.UntilAsync(() => HasExited, deadline, $"the Emperor (pid {Pid}) to exit", cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + Tail(), e);
        }
    }

    /// <summary>One line per vassal: id, pid, state, reason.</summary>
    public static string Summary(StatsSnapshot stats) =>
        string.Concat(stats.Vassals.Select(v => $"\n    {v.Id}: pid {v.Pid}, {v.State}, loyal {v.Loyal}, restarts {v.Restarts}, respawns {v.Respawns}, reason '{v.Reason}', status '{v.Status}'"))
        + (stats.Blacklist.Count == 0 ? "" : string.Concat(stats.Blacklist.Select(b => $"\n    blacklist {b.Id}: attempt {b.Attempt}, level {b.ThrottleLevel} ms, '{b.Reason}'")))
        + $"\n    throttle_level {stats.ThrottleLevel}, queue [{string.Join(", ", stats.ThrottleQueue)}]";

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int count = 40)
    {
        var lines = Lines;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\n  --- last {Math.Min(count, lines.Count)} of {lines.Count} output lines of the Emperor (pid {Pid}) and its vassals:");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - count)))
        {
            text.Append("\n  ").Append(line);
        }

        return text.ToString();
    }

    /// <summary>Every line, for the test output.</summary>
    public string FullLog() => string.Join('\n', Lines.Select(l => l.ToString()));

    /// <summary>SIGKILL if still running, then wait (briefly) for the runtime to reap it.</summary>
    public void Kill()
    {
        if (!HasExited)
        {
            _ = ProcessTree.Kill(Pid, 9);
            Wait.Until(() => HasExited, TimeSpan.FromSeconds(10), $"the Emperor (pid {Pid}) to die after SIGKILL");
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? text)
    {
        if (text is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(new LogLine(_lines.Count, _clock.Elapsed, text));
        }
    }
}
