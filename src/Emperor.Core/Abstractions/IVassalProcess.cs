namespace Emperor.Core.Abstractions;

/// <summary>A started vassal process.</summary>
internal interface IVassalProcess : IDisposable
{
    int Pid { get; }

    IVassalLink Link { get; }

    /// <summary>Signals the vassal's whole process group (it leads its own session). False if it is already gone.</summary>
    bool SignalGroup(int signal);

    /// <summary>
    /// After the process itself has exited: SIGKILL whatever is left of its process group (an app's own
    /// children). Only the group is signalled, never the pid, which may already belong to someone else.
    /// Returns true if anything was left.
    /// </summary>
    bool KillLeftovers();

    /// <summary>Whether the process has <paramref name="signal"/> set to SIG_IGN (e.g. inherited through exec).</summary>
    bool IgnoresSignal(int signal);

    /// <summary>
    /// Pushes <paramref name="config"/> again on the config link (spec §7.3), for a vassal that asked for it (byte 2,
    /// sent by a uWSGI master just before it re-execs to reload). False if the vassal has no config link.
    /// </summary>
    bool PushConfig(byte[] config) => false;
}
