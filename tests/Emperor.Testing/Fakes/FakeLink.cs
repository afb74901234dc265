using System.Collections.Concurrent;
using System.Threading.Channels;
using Emperor.Core.Abstractions;

namespace Emperor.Testing.Fakes;

/// <summary>The Emperor's end of a link: bytes it sends are recorded; <see cref="FromVassal"/> plays the vassal.</summary>
internal sealed class FakeLink : IVassalLink
{
    private readonly ConcurrentQueue<byte> _sent = new();
    private readonly Channel<byte> _incoming = Channel.CreateUnbounded<byte>();

    /// <summary>Bytes the Emperor wrote, in order.</summary>
    public IReadOnlyList<byte> Sent => [.. _sent];

    /// <summary>What <see cref="UnreadByPeer"/> answers: 0 means the vassal read everything.</summary>
    public int Unread { get; set; }

    public bool TrySend(byte message)
    {
        _sent.Enqueue(message);
        return true;
    }

    /// <summary>The vassal writes <paramref name="message"/> on its end.</summary>
    public void FromVassal(byte message) => _incoming.Writer.TryWrite(message);

    /// <summary>The vassal closes its end (EOF for the Emperor).</summary>
    public void Close() => _incoming.Writer.TryComplete();

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!await _incoming.Reader.WaitToReadAsync(cancellationToken))
        {
            return 0;
        }

        var n = 0;
        while (n < buffer.Length && _incoming.Reader.TryRead(out var b))
        {
            buffer.Span[n++] = b;
        }

        return n;
    }

    public int UnreadByPeer() => Unread;

    public void Dispose() => _incoming.Writer.TryComplete();
}
