using System.Net;
using System.Net.Sockets;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>Privileged free ports and the kernel's view of listeners (any free port: <see cref="FreePort"/>).</summary>
internal static class Ports
{
    public const byte Inet = 2;
    public const byte Inet6 = 10;

    /// <summary>A privileged port (below 1024) free on 127.0.0.1 and on the wildcard address, searched from the top.</summary>
    public static int FreePrivileged()
    {
        for (var port = 1023; port >= 600; port--)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free TCP port between 600 and 1023 on 127.0.0.1");
    }

    /// <summary>The listener bound to <paramref name="port"/> as the kernel's sock_diag reports it, or null.</summary>
    public static ListeningSocket? Listener(byte family, int port) =>
        Native.TcpListeners(family).Where(l => l.Port == port).Select(l => (ListeningSocket?)l).FirstOrDefault();
}
