namespace Emperor.Core.Abstractions;

/// <summary>
/// The Emperor's sd_notify socket: one datagram socket for every vassal, senders told apart by their
/// kernel-supplied credentials (SCM_CREDENTIALS), so a message from an app's worker process is matched to
/// its vassal through the session it runs in.
/// </summary>
internal interface INotifyListener : IDisposable
{
    /// <summary>The value for <c>NOTIFY_SOCKET</c> (a leading <c>@</c> means the abstract namespace).</summary>
    string Address { get; }

    /// <summary>Starts receiving; the callback gets (sender pid, sender session id, message text).</summary>
    void Start(Action<int, int, string> onMessage);
}
