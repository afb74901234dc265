using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Core.Config.Options;
using Emperor.Hosting.Net;

namespace Emperor.Cli.Control;

/// <summary>Talks to a running Emperor's stats or command socket: TCP <c>host:port</c>, a UNIX path or <c>@abstract</c>.</summary>
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

    internal static async Task<Socket> ConnectAsync(string text, CancellationToken ct)
    {
        if (!ServiceAddress.TryParse(text, out var address, out var error))
        {
            throw new FormatException(error);
        }

        var endPoint = address.Kind == ServiceAddressKind.Tcp ? new IPEndPoint(address.ConnectIp, address.Port) : ServiceSocket.EndPointOf(address);
        var socket = address.Kind == ServiceAddressKind.Tcp
            ? new Socket(address.ConnectIp.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endPoint, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
