using System.Net;
using System.Net.Sockets;

namespace Emperor.Testing;

/// <summary>
/// Free TCP ports, found by binding port 0 and releasing it: another process could take the port in between,
/// rarely; the programs under test bind with SO_REUSEADDR right after.
/// </summary>
public static class FreePort
{
    /// <summary>A port the kernel picks as free on <paramref name="address"/> (default 127.0.0.1).</summary>
    public static int Tcp(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
