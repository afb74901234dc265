namespace Emperor.Core.Vassals;

/// <summary>Classifies decision log lines so the shell can pick the level and a stable event id.</summary>
internal enum VassalLogKind
{
    Spawned,
    Reload,
    Stop,
    Curse,
    Died,
    Respawn,
    Blacklisted,
    Exiled,
    Removed,
    Loyal,
    Ready,
    Accepting,
    Kill,
    SpawnFailed,
    OnDemand,
}
