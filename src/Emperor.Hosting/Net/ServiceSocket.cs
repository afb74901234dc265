using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Emperor.Hosting.Net;

/// <summary>
/// What the stats, command and metrics services share: binding an address the uWSGI way (a colon means TCP
/// <c>host:port</c>, <c>:port</c> or <c>[v6]:port</c>; anything else is a UNIX socket path, a stale socket file
/// replaced) and an accept loop that serves each connection on its own task, keeps going past reset
/// connections and ends when the listener is disposed or the token is cancelled (Kestrel's contract).
/// </summary>
internal static class ServiceSocket
{
    public static bool IsUnixPath(string address) => !address.Contains(':', StringComparison.Ordinal);

    public static Socket Listen(string address, int backlog)
    {
        if (IsUnixPath(address))
        {
            if (File.Exists(address))
            {
                File.Delete(address);
            }

            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                unix.Bind(new UnixDomainSocketEndPoint(address));
                unix.Listen(backlog);
                return unix;
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        var colon = address.LastIndexOf(':');
        var host = address[..colon].Trim('[', ']');
        var port = int.Parse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        var ip = host.Length == 0 || host == "*" ? IPAddress.Any : IPAddress.Parse(host);
        var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(new IPEndPoint(ip, port));
            tcp.Listen(backlog);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public static async Task AcceptLoopAsync(Socket listener, Func<Socket, CancellationToken, Task> serve, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset before we accepted it: keep serving the others
            }

            _ = serve(client, ct);
        }
    }
}
