using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>The Emperor's mutable bookkeeping for one vassal. Touched only by the event-loop thread.</summary>
internal sealed class VassalRecord(string name, int monitor, SourceEntry entry, VassalState state)
{
    public string Name { get; } = name;

    public int Monitor { get; } = monitor;

    public SourceEntry Entry { get; set; } = entry;

    public VassalState State { get; set; } = state;

    public IVassalProcess? Process { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>When the source was first seen missing; removal waits for a confirming scan.</summary>
    public long? MissingSince { get; set; }

    public long BornNs { get; } = entry.ModifiedNs;

    public DateTimeOffset? StartedAt { get; set; }
}
