using System.Net.Sockets;
using System.Text;

namespace Emperor.Hosting;

/// <summary>
/// Tells systemd (or a parent Emperor) about this Emperor over <c>NOTIFY_SOCKET</c>: READY=1 once the first
/// scan is done, a STATUS= line ("The Emperor is governing N vassals", as uWSGI), STOPPING=1 at Ragnarok.
/// Sends are fire-and-forget datagrams: a missing or full socket never holds the loop.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private string? _lastStatus;

    public SystemdNotifier(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return;
        }

        try
        {
            _endpoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            _socket = null;
        }
    }

    public void Send(string message)
    {
        if (_socket is null || _endpoint is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _endpoint);
        }
        catch (SocketException)
        {
            // Nobody listening: systemd is not supervising us, or the parent is gone.
        }
    }

    public void Status(string status)
    {
        if (status != _lastStatus)
        {
            _lastStatus = status;
            Send("STATUS=" + status);
        }
    }

    public void Dispose() => _socket?.Dispose();
}
