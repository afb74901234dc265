using System.Diagnostics;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// One Emperor of a test fleet: an <see cref="EmperorProcess"/> on <c>pg://</c>, run under a host name
/// (<c>--emperor-pg-host</c>), its lines stamped on one clock for every host (<see cref="Clock"/>) so latencies
/// across Emperors compare, plus the few questions the fleet tests ask of it.
/// </summary>
internal sealed class EmperorHost : IAsyncDisposable
{
    /// <summary>The clock every line of every host is stamped with.</summary>
    public static readonly Stopwatch Clock = Stopwatch.StartNew();

    private EmperorHost(string name, EmperorProcess process)
    {
        Name = name;
        Process = process;
    }

    /// <summary>The host name it runs under (<c>--emperor-pg-host</c>).</summary>
    public string Name { get; }

    public EmperorProcess Process { get; }

    public int Pid => Process.Pid;

    public bool HasExited => Process.HasExited;

    public IReadOnlyList<LogLine> Lines => Process.Lines;

    /// <summary>
    /// Starts <c>emperor --emperor-stats … --emperor pg://… --emperor-pg-host NAME</c> plus <paramref name="extra"/>,
    /// and waits until it has started.
    /// </summary>
    public static async Task<EmperorHost> StartAsync(LeakGuard guard, string name, string source, string workingDirectory, params string[] extra) =>
        new(name, await EmperorProcess.StartWithStatsAsync(guard, ["--emperor", source, "--emperor-pg-host", name, .. extra], workingDirectory, CancellationToken.None, clock: Clock));

    public bool Contains(string fragment) => Process.LinesContaining(fragment).Count > 0;

    public int Count(string fragment) => Process.LinesContaining(fragment).Count;

    /// <summary>When the first line containing <paramref name="fragment"/> arrived (on <see cref="Clock"/>), or null.</summary>
    public TimeSpan? FirstAt(string fragment, TimeSpan after = default) =>
        Process.LinesContaining(fragment).Where(l => l.At >= after).Select(l => (TimeSpan?)l.At).FirstOrDefault();

    /// <summary>The stats document's vassals: id → (pid, state).</summary>
    public async Task<Dictionary<string, (int Pid, string State)>> VassalsAsync() =>
        (await Process.StatsAsync(CancellationToken.None)).Vassals.ToDictionary(v => v.Id, v => (v.Pid, v.State), StringComparer.Ordinal);

    /// <summary>Waits until the stats show <paramref name="name"/> running with a pid <paramref name="accept"/> takes; returns the pid.</summary>
    public Task<int> WaitForRunningAsync(string name, TimeSpan deadline, Func<int, bool>? accept = null) =>
        Process.WaitForRunningPidAsync(name, deadline, accept, CancellationToken.None);

    /// <summary>Waits until the stats no longer list <paramref name="name"/>.</summary>
    public Task WaitForGoneAsync(string name, TimeSpan deadline) =>
        Process.WaitForStatsAsync(s => s.Vassal(name) is null, deadline, $"vassal {name} to leave {Name}", CancellationToken.None);

    /// <summary>Polls an async condition until it holds; fails with the Emperor's output otherwise (or if it exits).</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"Emperor {Name} exited (code {Process.ExitCode}) while waiting for {what}.{Tail()}");
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
    public Task StopAsync() => Process.StopAsync(TimeSpan.FromSeconds(30));

    public string Tail(int count = 60) => Process.Tail(count);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
