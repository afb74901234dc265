using System.Net.Sockets;
using System.Text;

namespace Emperor.Client;

/// <summary>
/// Sends sd_notify datagrams to NOTIFY_SOCKET (an abstract <c>@name</c> or a path socket, as the Emperor and
/// systemd give it). Every method is a no-op when NOTIFY_SOCKET is unset, so the same app runs anywhere.
/// </summary>
public sealed class EmperorNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endPoint;

    /// <summary>Uses NOTIFY_SOCKET and WATCHDOG_USEC from the environment.</summary>
    public EmperorNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), Environment.GetEnvironmentVariable("WATCHDOG_USEC"))
    {
    }

    /// <summary>Uses the given socket address (null or empty: no-op) and watchdog interval in microseconds.</summary>
    public EmperorNotifier(string? notifySocket, string? watchdogUsec)
    {
        if (!string.IsNullOrEmpty(notifySocket))
        {
            // An abstract socket is spelled with a leading '@'; the kernel wants a leading NUL.
            var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
            _endPoint = new UnixDomainSocketEndPoint(path);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }

        if (long.TryParse(watchdogUsec, out var usec) && usec > 0)
        {
            WatchdogInterval = TimeSpan.FromMicroseconds(usec);
        }
    }

    /// <summary>True when NOTIFY_SOCKET was set, so notifications go somewhere.</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>WATCHDOG_USEC, if set: the supervisor wants WATCHDOG=1 at least this often.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public void Ready() => Send("READY=1");

    public void Stopping() => Send("STOPPING=1");

    public void Watchdog() => Send("WATCHDOG=1");

    public void Status(string status) => Send("STATUS=" + status.ReplaceLineEndings(" "));

    /// <summary>Sends one raw datagram such as <c>READY=1\nSTATUS=up</c>.</summary>
    public void Send(string message)
    {
        if (_socket is null || _endPoint is null)
        {
            return;
        }

        // A supervisor that is gone or busy must not take the app down: notification is best effort.
        try
        {
            _ = _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _endPoint);
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose() => _socket?.Dispose();
}
