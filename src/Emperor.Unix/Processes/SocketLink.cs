using System.Net.Sockets;
using Emperor.Core.Abstractions;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>The Emperor's end of a link socketpair, non-blocking, read through the runtime's epoll engine.</summary>
internal sealed class SocketLink : IVassalLink
{
    private readonly Socket _socket;
    private readonly int _fd;

    public SocketLink(int fd)
    {
        _fd = fd;
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { Blocking = false };
    }

    public bool TrySend(byte message)
    {
        try
        {
            Span<byte> one = [message];
            return _socket.Send(one, SocketFlags.None, out var error) == 1 && error == SocketError.Success;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public unsafe int UnreadByPeer()
    {
        int pending;
        return Sys.ioctl(_fd, Sys.SIOCOUTQ, &pending) == 0 ? pending : -1;
    }

    /// <summary>Writes a whole buffer (a config frame), waiting as needed; used off the event loop.</summary>
    public async Task SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[n..];
        }
    }

    public void Dispose() => _socket.Dispose();
}
