using System.Collections.Concurrent;
using Emperor.Core.Abstractions;
using Emperor.Core.Vassals;

namespace Emperor.Testing.Fakes;

/// <summary>
/// A launcher that starts nothing: every launch is recorded and gets a <see cref="FakeProcess"/> with a fresh pid;
/// the test ends a process with <see cref="Exit"/>, which calls the Emperor's exit callback as the reaper would.
/// Thread-safe: the loop launches on its thread, tests inspect from theirs.
/// </summary>
internal sealed class FakeLauncher : IVassalLauncher
{
    private readonly ConcurrentDictionary<int, (FakeProcess Process, Action<int, VassalExit> OnExit)> _live = new();
    private readonly ConcurrentQueue<Launched> _launches = new();
    private int _nextPid = 1000;

    /// <summary>When set, the next launches fail with this error.</summary>
    public string? FailWith { get; set; }

    public IReadOnlyList<Launched> Launches => [.. _launches];

    public IEnumerable<FakeProcess> Live => _live.Values.Select(v => v.Process);

    public IReadOnlyList<int> Forgotten => [.. _forgotten];

    private readonly ConcurrentQueue<int> _forgotten = new();

    public LaunchResult Launch(LaunchRequest request, Action<int, VassalExit> onExit)
    {
        if (FailWith is { } error)
        {
            return new LaunchResult(null, error);
        }

        var pid = Interlocked.Increment(ref _nextPid);
        var process = new FakeProcess(pid, request);
        _live[pid] = (process, onExit);
        _launches.Enqueue(new Launched(pid, request, process));
        return new LaunchResult(process, null);
    }

    public void Forget(int pid) => _forgotten.Enqueue(pid);

    /// <summary>The process of the latest launch whose config name is <paramref name="name"/>.</summary>
    public FakeProcess? Latest(string name) =>
        _launches.Reverse().FirstOrDefault(l => l.Request.Arguments[^1] == name || l.Request.Arguments[^1] == "emperor://" + name)?.Process;

    public int LaunchCount(string name) =>
        _launches.Count(l => l.Request.Arguments[^1] == name || l.Request.Arguments[^1] == "emperor://" + name);

    /// <summary>Ends <paramref name="pid"/> with <paramref name="exit"/> (reported once, as the reaper does).</summary>
    public void Exit(int pid, VassalExit exit)
    {
        if (_live.TryRemove(pid, out var p))
        {
            p.Process.Exited = true;
            p.OnExit(pid, exit);
        }
    }

    internal sealed record Launched(int Pid, LaunchRequest Request, FakeProcess Process);
}
