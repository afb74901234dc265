using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// One running <c>emperor</c> binary of a test fleet: tagged with the test's <see cref="LeakGuard"/> token, its output
/// (shared with its vassals) captured line by line with arrival times on one clock for every host
/// (<see cref="Clock"/>), its stats one call away.
/// </summary>
internal sealed class EmperorHost : IDisposable
{
    /// <summary>The clock every line of every host is stamped with (latencies across Emperors compare).</summary>
    public static readonly Stopwatch Clock = Stopwatch.StartNew();

    private readonly Process _process;
    private readonly List<(TimeSpan At, string Text)> _lines = [];
    private readonly Lock _lock = new();

    private EmperorHost(string name, Process process, int statsPort)
    {
        Name = name;
        _process = process;
        StatsPort = statsPort;
    }

    /// <summary>The host name it runs under (<c>--emperor-pg-host</c>).</summary>
    public string Name { get; }

    public int Pid => _process.Id;

    public int StatsPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>emperor --emperor pg://… --emperor-pg-host NAME --emperor-stats …</c> plus
    /// <paramref name="extra"/>, and waits until it has started.
    /// </summary>
    public static async Task<EmperorHost> StartAsync(LeakGuard guard, string name, string source, string workingDirectory, params string[] extra)
    {
        var statsPort = FreePort();
        var start = new ProcessStartInfo(TestPaths.EmperorBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in (string[])["--emperor", source, "--emperor-pg-host", name, "--emperor-stats", "127.0.0.1:" + statsPort.ToString(CultureInfo.InvariantCulture), .. extra])
        {
            start.ArgumentList.Add(a);
        }

        guard.Tag(start);
        var process = ChildLauncher.Start(start);
        var host = new EmperorHost(name, process, statsPort);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(() => host.HasExited || host.Contains("*** starting Emperor ***"), TimeSpan.FromSeconds(15), $"Emperor {name} to start");
            if (host.HasExited)
            {
                await Wait.UntilAsync(() => host.Lines.Count > 0, TimeSpan.FromSeconds(1), "its last words");
                throw new InvalidOperationException($"Emperor {name} exited at start with code {process.ExitCode}.{host.Tail()}");
            }
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    public IReadOnlyList<(TimeSpan At, string Text)> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public bool Contains(string fragment) => Lines.Any(l => l.Text.Contains(fragment, StringComparison.Ordinal));

    public int Count(string fragment) => Lines.Count(l => l.Text.Contains(fragment, StringComparison.Ordinal));

    /// <summary>When the first line containing <paramref name="fragment"/> arrived (on <see cref="Clock"/>), or null.</summary>
    public TimeSpan? FirstAt(string fragment, TimeSpan after = default) =>
        Lines.Where(l => l.At >= after && l.Text.Contains(fragment, StringComparison.Ordinal)).Select(l => (TimeSpan?)l.At).FirstOrDefault();

    /// <summary>The stats document's vassals: id → (pid, state).</summary>
    public async Task<Dictionary<string, (int Pid, string State)>> VassalsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, StatsPort, timeout.Token);
        await using var stream = client.GetStream();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, timeout.Token);
        using var doc = JsonDocument.Parse(buffer.ToArray());
        var result = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        foreach (var v in doc.RootElement.GetProperty("vassals").EnumerateArray())
        {
            result[v.GetProperty("id").GetString()!] = (v.GetProperty("pid").GetInt32(), v.GetProperty("state").GetString()!);
        }

        return result;
    }

    /// <summary>Waits until the stats show <paramref name="name"/> running with a pid <paramref name="accept"/> takes; returns the pid.</summary>
    public async Task<int> WaitForRunningAsync(string name, TimeSpan deadline, Func<int, bool>? accept = null)
    {
        var pid = 0;
        await UntilAsync(
            async () =>
            {
                var all = await VassalsAsync();
                pid = all.TryGetValue(name, out var v) && v.State == "running" && v.Pid > 0 && (accept?.Invoke(v.Pid) ?? true) ? v.Pid : 0;
                return pid != 0;
            },
            deadline,
            $"vassal {name} running on {Name}");
        return pid;
    }

    /// <summary>Waits until the stats no longer list <paramref name="name"/>.</summary>
    public Task WaitForGoneAsync(string name, TimeSpan deadline) =>
        UntilAsync(async () => !(await VassalsAsync()).ContainsKey(name), deadline, $"vassal {name} to leave {Name}");

    /// <summary>Polls an async condition every 10 ms until it holds; fails with the Emperor's output otherwise.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"Emperor {Name} exited (code {_process.ExitCode}) while waiting for {what}.{Tail()}");
            }

            if (await condition())
            {
                return;
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0.###} s waiting for {what}.{Tail()}");
            }

            await Task.Delay(Wait.PollInterval);
        }
    }

    /// <summary>SIGTERM, and waits for the Emperor to bury its vassals and exit.</summary>
    public async Task StopAsync()
    {
        if (!HasExited)
        {
            _ = ProcessTree.Kill(Pid, Native.Sigterm);
            await Wait.UntilAsync(() => HasExited, TimeSpan.FromSeconds(30), $"Emperor {Name} to exit after SIGTERM");
        }
    }

    public string Tail(int count = 60)
    {
        var lines = Lines;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\n  --- last {Math.Min(count, lines.Count)} of {lines.Count} lines of Emperor {Name} (pid {_process.Id}):");
        foreach (var (at, line) in lines.Skip(Math.Max(0, lines.Count - count)))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  [{at.TotalSeconds,8:0.000}] {line}");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _ = ProcessTree.Kill(_process.Id, Native.Sigkill);
            Wait.Until(() => _process.HasExited, TimeSpan.FromSeconds(10), $"Emperor {Name} to die after SIGKILL");
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(string? text)
    {
        if (text is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add((Clock.Elapsed, text));
        }
    }
}
