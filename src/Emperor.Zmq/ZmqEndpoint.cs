using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Emperor.Core.Abstractions;

namespace Emperor.Zmq;

/// <summary>
/// The endpoint of <c>zmq://ENDPOINT</c> (spec §2.8), as libzmq's <c>zmq_bind</c> reads the transports an Emperor can
/// use: <c>tcp://HOST:PORT</c> (HOST an IPv4 or bracketed IPv6 address, <c>*</c> for every interface, <c>localhost</c>
/// or an interface name; PORT a number or <c>*</c> for any free one) and <c>ipc://PATH</c> (a UNIX stream socket;
/// <c>ipc://@NAME</c> in the abstract namespace).
/// </summary>
internal sealed record ZmqEndpoint(string Text, EndPoint Address, string? SocketFile)
{
    public const string Scheme = "zmq://";

    /// <summary>Parses the text after <c>zmq://</c>; null and a reason when it cannot be bound.</summary>
    public static ZmqEndpoint? Parse(string endpoint, out string? error)
    {
        error = null;
        if (endpoint.StartsWith("ipc://", StringComparison.Ordinal))
        {
            var path = endpoint["ipc://".Length..];
            if (path.Length == 0)
            {
                error = "ipc:// needs a path";
                return null;
            }

            return path.StartsWith('@')
                ? new ZmqEndpoint(endpoint, new UnixDomainSocketEndPoint("\0" + path[1..]), null)
                : new ZmqEndpoint(endpoint, new UnixDomainSocketEndPoint(Path.GetFullPath(path)), Path.GetFullPath(path));
        }

        if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal))
        {
            error = "the endpoint must be tcp://HOST:PORT or ipc://PATH (as zmq_bind takes it)";
            return null;
        }

        var hostPort = endpoint["tcp://".Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0)
        {
            error = "tcp:// needs HOST:PORT";
            return null;
        }

        var host = hostPort[..colon];
        var portText = hostPort[(colon + 1)..];
        int port;
        if (portText == "*" || portText == "0")
        {
            port = 0;
        }
        else if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"\"{portText}\" is not a TCP port";
            return null;
        }

        var address = Host(host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host);
        if (address is null)
        {
            error = $"\"{host}\" is neither an IP address, *, localhost nor the name of an interface of this machine";
            return null;
        }

        return new ZmqEndpoint(endpoint, new IPEndPoint(address, port), null);
    }

    private static IPAddress? Host(string host)
    {
        if (host == "*")
        {
            return IPAddress.Any;
        }

        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            return ip;
        }

        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == host);
        return nic?.GetIPProperties().UnicastAddresses
            .Select(a => a.Address)
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .FirstOrDefault();
    }

    /// <summary>
    /// Binds and listens; null and a reason when it cannot. A socket file left by an earlier run is replaced (as
    /// libzmq does); any other file there is an error, never deleted.
    /// </summary>
    public Socket? Bind(IFileSystem fs, out string? error)
    {
        error = null;
        if (SocketFile is { } file && fs.TryStat(file, follow: false, out var st, out _))
        {
            if (st.Kind != FileKind.Socket)
            {
                error = $"{file} exists and is not a socket";
                return null;
            }

            File.Delete(file);
        }

        var socket = Address is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (Address is IPEndPoint)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(Address);
            socket.Listen(128);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"cannot bind {Text}: {e.Message}";
            return null;
        }
    }
}
