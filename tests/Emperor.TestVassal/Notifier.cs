using System.Net.Sockets;
using System.Text;

namespace Emperor.TestVassal;

/// <summary>sd_notify: one datagram per message to the AF_UNIX socket named by NOTIFY_SOCKET.</summary>
internal static class Notifier
{
    public static void Send(string message)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            Log.Line($"NOTIFY_SOCKET is not set, not sending '{message}'");
            return;
        }

        // A leading '@' names the abstract namespace (systemd's convention); .NET spells it '\0'.
        var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            _ = socket.SendTo(Encoding.UTF8.GetBytes(message), endpoint);
        }
        catch (SocketException e)
        {
            Log.Line($"cannot notify '{path}': {e.SocketErrorCode}");
        }
    }
}
