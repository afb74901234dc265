using System.Collections.Concurrent;
using Emperor.Core.Abstractions;
using Emperor.Core.Cgroups;

namespace Emperor.Testing.Fakes;

/// <summary>
/// Per-vassal cgroups for the in-process loop: records every call; a cgroup "holds processes" from the vassal's
/// launch (see <see cref="Populate"/>) until a kill, and stays busy for removal while <see cref="Busy"/> names it.
/// </summary>
internal sealed class FakeCgroups : IVassalCgroups
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentDictionary<string, bool> _populated = new(StringComparer.Ordinal);

    public string Description => "fake";

    /// <summary>Every call in order: "prepare NAME", "kill NAME" (only when it held processes), "remove NAME", "removed NAME".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Vassals whose cgroup cannot be removed yet (killed processes not reaped).</summary>
    public ConcurrentDictionary<string, bool> Busy { get; } = new(StringComparer.Ordinal);

    /// <summary>Limits each Prepare was given.</summary>
    public ConcurrentQueue<(string Vassal, IReadOnlyList<KeyValuePair<string, string>> Limits)> Prepared { get; } = new();

    /// <summary>Marks the vassal's cgroup as holding processes (a launch did, or a daemon escaped its group).</summary>
    public void Populate(string vassal) => _populated[vassal] = true;

    public VassalCgroup? Prepare(string vassal, IReadOnlyList<KeyValuePair<string, string>> limits, out string? error)
    {
        error = null;
        _calls.Enqueue("prepare " + vassal);
        Prepared.Enqueue((vassal, limits));
        return new VassalCgroup(vassal, "/cg/emperor/" + vassal, new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), CanKill: true);
    }

    public bool Kill(VassalCgroup cgroup)
    {
        if (!_populated.TryRemove(cgroup.Vassal, out _))
        {
            return false;
        }

        _calls.Enqueue("kill " + cgroup.Vassal);
        return true;
    }

    public bool TryRemove(VassalCgroup cgroup)
    {
        if (Busy.ContainsKey(cgroup.Vassal))
        {
            _calls.Enqueue("remove " + cgroup.Vassal);
            return false;
        }

        _calls.Enqueue("removed " + cgroup.Vassal);
        return true;
    }

    public CgroupUsage Read(VassalCgroup cgroup) => new(4096, 8192, 1234, 0, 1);
}
