using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Emperor.Cli.Control;

/// <summary>Talks to a running Emperor's stats or command socket: TCP <c>host:port</c> or a UNIX path.</summary>
internal static class EndpointClient
{
    public static async Task<string> ExchangeAsync(string address, string? request, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = await ConnectAsync(address, cts.Token);
        if (request is not null)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(request), SocketFlags.None, cts.Token);
        }

        var buffer = new MemoryStream();
        var chunk = new byte[65536];
        while (true)
        {
            var n = await socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, n);
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (text.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            text = body >= 0 ? text[(body + 4)..] : text;
        }

        return text;
    }

    private static async Task<Socket> ConnectAsync(string address, CancellationToken ct)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0)
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(address), ct);
                return unix;
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        var host = address[..colon].Trim('[', ']');
        var port = int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var ip = host.Length == 0 || host == "0.0.0.0" ? IPAddress.Loopback : IPAddress.Parse(host);
        var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await tcp.ConnectAsync(new IPEndPoint(ip, port), ct);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
