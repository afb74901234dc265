using System.Diagnostics;

namespace Emperor.Testing;

/// <summary>
/// Makes a test fail if it leaves a process, a zombie or a watched fd behind, and cleans up either way.
/// </summary>
/// <remarks>
/// Every process a test starts is tagged with <c>EMPEROR_TEST_TOKEN=&lt;token&gt;</c> (<see cref="Tag(ProcessStartInfo)"/>);
/// children inherit their environment, so grandchildren and an Emperor's vassals carry the tag too.
/// Dispose then, in this order and whatever happens:
/// <list type="number">
/// <item>notes every live process carrying the token, and SIGKILLs them (repeatedly, until none is left,
/// in case one was forking);</item>
/// <item>waits up to <see cref="Deadline"/> for this process's zombie children to be reaped (the runtime
/// reaps children started with <see cref="Process"/> a moment after they exit);</item>
/// <item>checks that no fd registered with <see cref="WatchFd"/> is still open in this process;</item>
/// </list>
/// and throws <see cref="LeakException"/> if step 1 found anything or steps 2-3 did not come clean.
/// Only processes carrying this guard's token are ever signalled.
/// </remarks>
public sealed class LeakGuard : IDisposable, IAsyncDisposable
{
    public const string TokenVariable = "EMPEROR_TEST_TOKEN";

    private readonly List<string> _watchedFdTargets = [];
    private readonly Lock _lock = new();
    private int _disposed;

    /// <summary>A guard with a fresh random token.</summary>
    public LeakGuard()
        : this(Guid.NewGuid().ToString("N"))
    {
    }

    public LeakGuard(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        Token = token;
    }

    public string Token { get; }

    /// <summary><c>EMPEROR_TEST_TOKEN=&lt;token&gt;</c>, as it appears in /proc/PID/environ.</summary>
    public string EnvironmentEntry => TokenVariable + "=" + Token;

    /// <summary>How long dispose waits for killed processes to vanish and zombies to be reaped.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Tags a process about to be started. Also sets <c>DOTNET_EnableDiagnostics=0</c>: a .NET child
    /// (testvassal) killed by SIGKILL would otherwise leave its diagnostics socket file in /tmp.
    /// </summary>
    public void Tag(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        Tag(start.Environment);
    }

    /// <inheritdoc cref="Tag(ProcessStartInfo)"/>
    public void Tag(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment[TokenVariable] = Token;
        environment["DOTNET_EnableDiagnostics"] = "0";
    }

    /// <summary>Live processes (this one excluded) carrying the token.</summary>
    public IReadOnlyList<int> FindTagged() =>
        [.. ProcessTree.WithEnvironmentEntry(EnvironmentEntry).Where(pid => pid != Environment.ProcessId)];

    /// <summary>
    /// Remembers what <paramref name="fd"/> of this process points to now (e.g. <c>socket:[123]</c>);
    /// dispose fails if any fd of this process still points there.
    /// </summary>
    public void WatchFd(int fd)
    {
        var target = ProcessTree.OpenFds(Environment.ProcessId).GetValueOrDefault(fd)
            ?? throw new ArgumentException($"fd {fd} is not open in this process.", nameof(fd));
        WatchFdTarget(target);
    }

    /// <summary>Dispose fails if any fd of this process points to <paramref name="target"/>.</summary>
    public void WatchFdTarget(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        lock (_lock)
        {
            _watchedFdTargets.Add(target);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CleanUpAndCheck();
        }
    }

    /// <summary>Runs <see cref="Dispose"/> off the caller's thread (it polls /proc with short sleeps).</summary>
    public async ValueTask DisposeAsync() => await Task.Run(Dispose);

    private void CleanUpAndCheck()
    {
        var problems = new List<string>();
        var clock = Stopwatch.StartNew();

        var leftovers = FindTagged();
        if (leftovers.Count > 0)
        {
            problems.Add("still running (now SIGKILLed):" + Lines(leftovers.Select(ProcessTree.Describe)));
        }

        while (FindTagged() is { Count: > 0 } tagged)
        {
            if (clock.Elapsed > Deadline)
            {
                problems.Add("still alive after SIGKILL:" + Lines(tagged.Select(ProcessTree.Describe)));
                break;
            }

            foreach (var pid in tagged)
            {
                _ = ProcessTree.Kill(pid, Signals.Sigkill);
            }

            Thread.Sleep(Wait.PollInterval);
        }

        var self = Environment.ProcessId;
        try
        {
            Wait.Until(() => ProcessTree.ZombieChildren(self).Count == 0, Deadline, "zombie children to be reaped");
        }
        catch (TimeoutException)
        {
            problems.Add("zombie children of this process, never reaped:" + Lines(ProcessTree.ZombieChildren(self).Select(ProcessTree.Describe)));
        }

        string[] watched;
        lock (_lock)
        {
            watched = [.. _watchedFdTargets];
        }

        var stillOpen = ProcessTree.OpenFds(self).Where(fd => watched.Contains(fd.Value)).ToList();
        if (stillOpen.Count > 0)
        {
            problems.Add("watched fds still open in this process:" + Lines(stillOpen.Select(fd => $"fd {fd.Key} -> {fd.Value}")));
        }

        if (problems.Count > 0)
        {
            throw new LeakException($"The test left things behind (token {Token}):\n" + string.Join("\n", problems));
        }
    }

    private static string Lines(IEnumerable<string> items) => string.Concat(items.Select(item => "\n  " + item));
}
