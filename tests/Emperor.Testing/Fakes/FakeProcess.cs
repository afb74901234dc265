using System.Collections.Concurrent;
using Emperor.Core.Abstractions;

namespace Emperor.Testing.Fakes;

/// <summary>A vassal process that exists only as a record of what was done to it.</summary>
internal sealed class FakeProcess(int pid, LaunchRequest request) : IVassalProcess
{
    private readonly ConcurrentQueue<int> _signals = new();

    public int Pid { get; } = pid;

    public LaunchRequest Request { get; } = request;

    public FakeLink FakeLink { get; } = new();

    public IVassalLink Link => FakeLink;

    /// <summary>Signals sent to the process group, in order.</summary>
    public IReadOnlyList<int> Signals => [.. _signals];

    /// <summary>What <see cref="IgnoresSignal"/> answers (a binary patch leaves SIGTERM ignored).</summary>
    public bool IgnoresSigterm { get; set; }

    public volatile bool Exited;

    public bool Disposed { get; private set; }

    public bool SignalGroup(int signal)
    {
        if (Exited)
        {
            return false;
        }

        _signals.Enqueue(signal);
        return true;
    }

    public bool KillLeftovers() => false;

    public bool IgnoresSignal(int signal) => IgnoresSigterm && signal == Core.Signals.Sigterm;

    public void Dispose()
    {
        Disposed = true;
        FakeLink.Dispose();
    }
}
