using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Emperor.Router;

/// <summary>
/// Idle connections to nodes that speak HTTP, kept after a response whose end was known (Content-Length or chunked,
/// no <c>Connection: close</c>) for the next request to the same node: a connect per request was what made an
/// HTTP node slower behind us than behind YARP, which pools. At most <c>maxIdle</c> per node; a connection the node
/// closed meanwhile is found dead when taken (readable with nothing to read) and dropped.
/// </summary>
internal sealed class NodePool(int maxIdle = 64) : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentStack<Socket>> _idle = new(StringComparer.Ordinal);

    public Socket? TryTake(string address)
    {
        if (!_idle.TryGetValue(address, out var stack))
        {
            return null;
        }

        while (stack.TryPop(out var socket))
        {
            if (IsAlive(socket))
            {
                return socket;
            }

            socket.Dispose();
        }

        return null;
    }

    public void Return(string address, Socket socket)
    {
        var stack = _idle.GetOrAdd(address, _ => new ConcurrentStack<Socket>());
        if (stack.Count >= maxIdle)
        {
            socket.Dispose();
            return;
        }

        stack.Push(socket);
    }

    /// <summary>Closes the idle connections of a node that left (unsubscribed or expired).</summary>
    public void Drop(string address)
    {
        if (_idle.TryRemove(address, out var stack))
        {
            while (stack.TryPop(out var socket))
            {
                socket.Dispose();
            }
        }
    }

    private static bool IsAlive(Socket socket)
    {
        try
        {
            return !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var address in _idle.Keys)
        {
            Drop(address);
        }
    }
}
