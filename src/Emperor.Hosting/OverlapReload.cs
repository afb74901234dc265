using Emperor.Core.Abstractions;

namespace Emperor.Hosting;

/// <summary>The new instance of an overlapping reload while the old one still serves. Touched only by the loop.</summary>
internal sealed class OverlapReload(IVassalProcess process, string why, DateTimeOffset started)
{
    public IVassalProcess Process { get; } = process;

    public string Why { get; set; } = why;

    public DateTimeOffset Started { get; } = started;

    public ITimer? Deadline { get; set; }

    public CancellationTokenSource Probe { get; } = new();

    /// <summary>A newer change arrived: when this instance is gone, the reload starts again.</summary>
    public bool Superseded { get; set; }

    /// <summary>Set once the reload failed (timeout): the exit is then expected and not reported again.</summary>
    public string? Failed { get; set; }

    public void Cancel()
    {
        Deadline?.Dispose();
        Probe.Cancel();
        Probe.Dispose();
    }
}

/// <summary>An old instance swapped out by an overlapping reload: asked to stop, killed after the mercy.</summary>
internal sealed class RetiringInstance(IVassalProcess process, ITimer? mercy)
{
    public IVassalProcess Process { get; } = process;

    public ITimer? Mercy { get; } = mercy;
}
