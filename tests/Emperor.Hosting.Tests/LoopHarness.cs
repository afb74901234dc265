using System.Collections.Concurrent;
using Emperor.Core.Emperor;
using Emperor.Core.Stats;
using Emperor.Testing;
using Emperor.Testing.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Emperor.Hosting.Tests;

/// <summary>
/// One Emperor loop on its own thread over a <see cref="FakeMonitor"/>, a <see cref="FakeLauncher"/> and a
/// <see cref="FakeTimeProvider"/>. Tests change the monitor or the clock and wait (with a deadline) for what the loop
/// must do; every wait is for a condition, none is a sleep. Time moves only when a test advances it.
/// </summary>
internal sealed class LoopHarness : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private LoopHarness(EmperorService service, FakeMonitor monitor, FakeLauncher launcher, FakeTimeProvider time, ListLogger log, Task<int> exit)
    {
        Service = service;
        Monitor = monitor;
        Launcher = launcher;
        Time = time;
        Log = log;
        Exit = exit;
    }

    public EmperorService Service { get; }

    public FakeMonitor Monitor { get; }

    public FakeLauncher Launcher { get; }

    public FakeTimeProvider Time { get; }

    public ListLogger Log { get; }

    /// <summary>Completes with the exit code when the Emperor is buried.</summary>
    public Task<int> Exit { get; }

    /// <summary>Starts a loop; <paramref name="options"/> are Emperor options as on the command line (without dashes).</summary>
    public static Task<LoopHarness> StartAsync(Action<FakeMonitor>? before = null, params (string Key, string Value)[] options) =>
        StartAsync(before, null, options);

    /// <summary>As above, with a vassal-file preflight (path → why not, or null).</summary>
    public static Task<LoopHarness> StartAsync(Action<FakeMonitor>? before, Func<string, string?>? preflight, params (string Key, string Value)[] options) =>
        StartWithAsync(host => host with { Preflight = preflight }, before, options);

    /// <summary>As above, with per-vassal cgroups (<c>--emperor-cgroup</c>) from <paramref name="cgroups"/>.</summary>
    public static Task<LoopHarness> StartAsync(Action<FakeMonitor>? before, Func<string, string?>? preflight, Core.Abstractions.IVassalCgroups? cgroups, params (string Key, string Value)[] options) =>
        StartWithAsync(host => host with { Preflight = preflight, Cgroups = cgroups }, before, options);

    /// <summary>As above, with the Emperor's reading of vassal configs (the real reader over files in memory).</summary>
    public static Task<LoopHarness> StartAsync(
        Action<FakeMonitor>? before, Func<string, string?>? preflight, Core.Abstractions.IVassalConfigReader? configReader, params (string Key, string Value)[] options) =>
        StartWithAsync(host => host with { Preflight = preflight, ConfigReader = configReader }, before, options);

    /// <summary>As above, with more of the host replaced by fakes (a config reader, a socket binder, an announcer).</summary>
    public static async Task<LoopHarness> StartWithAsync(Func<EmperorHost, EmperorHost> configure, Action<FakeMonitor>? before, params (string Key, string Value)[] options)
    {
        var monitor = new FakeMonitor();
        before?.Invoke(monitor);
        var launcher = new FakeLauncher();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.Zero };
        var all = new List<KeyValuePair<string, string>> { new("emperor", monitor.Argument) };
        all.AddRange(options.Select(o => new KeyValuePair<string, string>(o.Key, o.Value)));
        var (settings, errors) = EmperorSettingsReader.Read(all);
        Assert.Empty(errors);
        var log = new ListLogger();
        var host = new EmperorHost
        {
            Launcher = launcher,
            Time = time,
            Logger = log,
            Environment = [new("PATH", "/usr/bin:/bin"), new("UWSGI_VASSAL_SOCKET", "/run/%n.sock")],
            SelfExecutable = "/usr/bin/emperor",
            Identity = (0, 0),
        };
        var service = new EmperorService(configure(host), settings, [monitor]);
        var exit = service.RunAsync(handleSignals: false);
        var harness = new LoopHarness(service, monitor, launcher, time, log, exit);
        await harness.StatsAsync(); // the first scan is done once the loop answers
        return harness;
    }

    public Task<EmperorStats> StatsAsync() => Service.RequestStatsAsync().WaitAsync(s_deadline);

    public async Task<VassalStats?> VassalAsync(string name) =>
        (await StatsAsync()).Vassals.FirstOrDefault(v => v.Id == name);

    /// <summary>
    /// Lets the loop catch up (so the timers that what was posted so far arms exist), moves the clock, then lets the loop
    /// handle what the timers posted.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        await StatsAsync();
        Time.Advance(by);
        await StatsAsync();
    }

    /// <summary>Advances the clock in small steps until <paramref name="condition"/> holds (timers fire in order).</summary>
    public async Task AdvanceUntilAsync(Func<Task<bool>> condition, TimeSpan step, TimeSpan limit, string what)
    {
        var moved = TimeSpan.Zero;
        while (!await condition())
        {
            Assert.True(moved < limit, $"{what}: not after {limit} of fake time");
            await AdvanceAsync(step);
            moved += step;
        }
    }

    /// <summary>Waits (real time, with a deadline) for something the loop does on its own thread.</summary>
    public static Task UntilAsync(Func<bool> condition, string what) => Wait.UntilAsync(condition, s_deadline, what);

    /// <summary>Lets the coalescing timer fire and the scan run after a monitor change.</summary>
    public Task ScanAsync() => AdvanceAsync(TimeSpan.FromMilliseconds(25));

    /// <summary>Waits until the loop has handled everything posted so far and answers <paramref name="probe"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (accept(value))
            {
                return value;
            }

            Assert.True(clock.Elapsed < s_deadline, $"timed out waiting for {what}");
            await Task.Yield();
            await Task.Delay(Wait.PollInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exit.IsCompleted)
        {
            Service.Post(new EmperorEvent.Signal(Core.Signals.Sigterm));
            foreach (var p in Launcher.Live.ToList())
            {
                Launcher.Exit(p.Pid, Core.Vassals.VassalExit.Killed(Core.Signals.Sigterm));
            }
        }

        await Exit.WaitAsync(s_deadline);
        await Service.DisposeAsync();
    }
}

/// <summary>Collects log entries (level, event id, text, fields) for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        _entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception), fields.ToDictionary(f => f.Key, f => f.Value)));
    }

    public int Count(string contains) => Entries.Count(e => e.Text.Contains(contains, StringComparison.Ordinal));

    internal sealed record Entry(LogLevel Level, EventId Id, string Text, Dictionary<string, object?> Fields);
}
