using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Emperor.Testing;

/// <summary>
/// A running <c>emperor</c> binary started by a test (a <see cref="TestProcess"/>: tagged with the test's
/// <see cref="LeakGuard"/> token, its stdout and stderr, which its vassals share, captured line by line with
/// arrival times), its stats socket one <see cref="StatsAsync"/> away.
/// </summary>
/// <remarks>
/// Never waits for the redirected streams to end: a vassal that outlives the Emperor keeps them open, and that
/// must show up as a leak, not as a hung test. <see cref="DisposeAsync"/> stops it the polite way (SIGTERM:
/// Ragnarok stops every vassal), <see cref="Dispose"/> SIGKILLs it.
/// </remarks>
public sealed class EmperorProcess : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan s_statsTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_statsPoll = TimeSpan.FromMilliseconds(50);

    private readonly TestProcess _process;
    private readonly Stopwatch _sinceStart;

    private EmperorProcess(TestProcess process, Stopwatch sinceStart, int statsPort, IReadOnlyList<string> arguments)
    {
        _process = process;
        _sinceStart = sinceStart;
        StatsPort = statsPort;
        Arguments = arguments;
    }

    public int Pid => _process.Pid;

    public int StatsPort { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _sinceStart.Elapsed;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>How many fds the Emperor has open now (/proc/PID/fd).</summary>
    public int FdCount => ProcessTree.OpenFdCount(Pid);

    /// <summary>Every line received so far (both streams), in arrival order.</summary>
    public IReadOnlyList<LogLine> Lines => _process.Lines;

    /// <summary>
    /// Starts an Emperor with <paramref name="arguments"/> plus <c>--emperor-stats</c> on a free port, and waits
    /// until it has started (see <see cref="StartAsync"/>).
    /// </summary>
    public static Task<EmperorProcess> StartWithStatsAsync(
        LeakGuard guard,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        Stopwatch? clock = null)
    {
        var port = FreePort.Tcp();
        return StartAsync(
            guard,
            ["--emperor-stats", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), .. arguments],
            workingDirectory,
            port,
            environment,
            cancellationToken,
            clock: clock);
    }

    /// <summary>
    /// Starts the Emperor with <paramref name="arguments"/> (which name its stats socket, on
    /// <paramref name="statsPort"/>) and waits until it has logged that it started (its stats socket is bound by
    /// then). Throws, with its output, if it exits instead. Line times are read from <paramref name="clock"/>
    /// (default: a clock started now), so the lines of several Emperors can be compared.
    /// </summary>
    public static async Task<EmperorProcess> StartAsync(
        LeakGuard guard,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        int statsPort,
        IEnumerable<KeyValuePair<string, string>>? environment,
        CancellationToken cancellationToken,
        string? runAsUser = null,
        Stopwatch? clock = null,
        IReadOnlyList<string>? wrapper = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);

        // setpriv execs the Emperor in place, so the pid we hold is the Emperor's; a wrapper (unshare -pf) may not.
        IEnumerable<string> argv = wrapper is { Count: > 0 } ? [.. wrapper.Skip(1), TestPaths.EmperorBinary, .. arguments]
            : runAsUser is null
            ? arguments
            : ["--reuid", runAsUser, "--regid", runAsUser, "--clear-groups", "--", TestPaths.EmperorBinary, .. arguments];
        var sinceStart = Stopwatch.StartNew();
        var process = TestProcess.Start(
            guard,
            wrapper is { Count: > 0 } ? wrapper[0] : runAsUser is null ? TestPaths.EmperorBinary : "setpriv",
            argv,
            environment,
            workingDirectory: workingDirectory,
            clock: clock ?? sinceStart);
        var emperor = new EmperorProcess(process, sinceStart, statsPort, arguments);
        try
        {
            await Wait.UntilAsync(
                () => emperor.HasExited || emperor.Lines.Any(l => l.Text.Contains("*** starting Emperor ***", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(15),
                "the Emperor to log '*** starting Emperor ***'",
                cancellationToken);
            if (emperor.HasExited)
            {
                // Let the last lines arrive before quoting them (bounded: a leaked vassal may hold the streams).
                try
                {
                    _ = await process.WaitForExitAndOutputAsync(TimeSpan.FromSeconds(1), cancellationToken);
                }
                catch (TimeoutException)
                {
                }

                throw new InvalidOperationException(
                    $"The Emperor exited at start with code {emperor.ExitCode} (args: {string.Join(' ', arguments)}).{emperor.Tail()}");
            }
        }
        catch (TimeoutException e)
        {
            emperor.Dispose();
            throw new TimeoutException(e.Message + emperor.Tail(), e);
        }
        catch
        {
            emperor.Dispose();
            throw;
        }

        return emperor;
    }

    public bool Signal(int signal) => _process.Signal(signal);

    /// <summary>Lines (from index <paramref name="from"/> on) whose text contains <paramref name="fragment"/>.</summary>
    public IReadOnlyList<LogLine> LinesContaining(string fragment, int from = 0) =>
        [.. Lines.Skip(from).Where(l => l.Text.Contains(fragment, StringComparison.Ordinal))];

    /// <summary>The index the next line will get: pass it as <c>from</c> to look only at what comes after now.</summary>
    public int Mark() => Lines.Count;

    /// <summary>Waits for the first line that contains <paramref name="fragment"/>.</summary>
    public Task<LogLine> WaitForLineAsync(string fragment, TimeSpan deadline, CancellationToken cancellationToken) =>
        WaitForLineAsync(fragment, deadline, 0, cancellationToken);

    /// <summary>Waits for the first line (from index <paramref name="from"/> on) that contains <paramref name="fragment"/>.</summary>
    public Task<LogLine> WaitForLineAsync(string fragment, TimeSpan deadline, int from, CancellationToken cancellationToken) =>
        WaitForLineAsync(t => t.Contains(fragment, StringComparison.Ordinal), $"a log line containing '{fragment}'", deadline, from, cancellationToken);

    /// <summary>Waits for the first line (from index <paramref name="from"/> on) that satisfies <paramref name="match"/>.</summary>
    public async Task<LogLine> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan deadline, int from = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        try
        {
            return await _process.WaitForLineAsync(l => match(l.Text), what, deadline, from, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + Tail(), e.InnerException ?? e);
        }
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

    /// <summary>
    /// Waits until the Emperor has completed <paramref name="count"/> more source scans than it had when this was
    /// called (the stats' <c>scans</c>), and returns that snapshot: after it, whatever those scans were going to
    /// do has been done, so a test can assert that something did NOT happen without sleeping a fixed time.
    /// </summary>
    public async Task<StatsSnapshot> WaitForMoreScansAsync(int count, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var from = (await StatsAsync(cancellationToken)).Scans;
        return await WaitForStatsAsync(s => s.Scans >= from + count, deadline, $"{count} more completed scans (from {from})", cancellationToken);
    }

    /// <summary>Waits for a running vassal and returns its pid.</summary>
    public Task<int> WaitForRunningPidAsync(string id, TimeSpan deadline, CancellationToken cancellationToken) =>
        WaitForRunningPidAsync(id, deadline, null, cancellationToken);

    /// <summary>Waits for a running vassal whose pid <paramref name="accept"/> takes, and returns its pid.</summary>
    public async Task<int> WaitForRunningPidAsync(string id, TimeSpan deadline, Func<int, bool>? accept, CancellationToken cancellationToken)
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

    /// <summary>SIGTERM (Ragnarok), then waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        if (!HasExited)
        {
            _ = Signal(Signals.Sigterm);
        }

        await WaitForExitAsync(deadline, cancellationToken);
        return ExitCode;
    }

    /// <summary>SIGKILL if still running, then wait (briefly) for the runtime to reap it.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Stops it the polite way (SIGTERM, as an operator would), SIGKILL only if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!HasExited)
            {
                _ = await StopAsync(Deadlines.Child);
            }
        }
        finally
        {
            await _process.DisposeAsync();
        }
    }

    public void Dispose() => _process.Dispose();
}
