using Emperor.Core.Monitoring;

namespace Emperor.Core.Policies;

/// <summary>
/// Tyrant mode (spec §9): a vassal runs as its config's owner, and never as root. This is the one place that says
/// whether an entry may run; the source reconciler asks it before a spawn and on an owner change, the spawn path
/// asks it again right before the launch.
/// </summary>
internal sealed class TyrantGate(bool tyrant)
{
    public bool Enabled { get; } = tyrant;

    /// <summary>Whether <paramref name="entry"/> may run (always, outside tyrant mode).</summary>
    public bool Admits(SourceEntry entry) => !Enabled || (entry.Uid != 0 && entry.Gid != 0);

    /// <summary>The credentials to run <paramref name="entry"/> with: the owner's in tyrant mode, else the Emperor's (null).</summary>
    public (int? Uid, int? Gid) CredentialsFor(SourceEntry entry) => Enabled ? (entry.Uid, entry.Gid) : (null, null);
}
