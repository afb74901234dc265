namespace Emperor.Core.Abstractions;

/// <summary>The Emperor's end of a vassal's link socketpair.</summary>
internal interface IVassalLink : IDisposable
{
    /// <summary>Writes one protocol byte without blocking. False when the link is broken or full.</summary>
    bool TrySend(byte message);

    /// <summary>Reads protocol bytes; 0 means EOF.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Bytes written that the vassal has not read yet (AF_UNIX SIOCOUTQ), or -1 if unknown.</summary>
    int UnreadByPeer();
}
