using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Emperor.Hosting;

/// <summary>
/// The <c>ready-check</c> of an overlapping reload, off the loop: every 100 ms until it answers or is cancelled —
/// <c>tcp</c>: a connection to the vassal's first declared socket is accepted; <c>http://HOST:PORT/PATH</c>: a GET
/// answers 2xx. Through a socket the Emperor holds both the old and the new instance accept, so the check says the
/// port serves, not which instance answered; READY=1 or byte 17 from the new instance is the precise signal.
/// </summary>
internal static class ReadyProbe
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(string check, string? firstSocket, Action ready, CancellationToken cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                if (await TryOnceAsync(check, firstSocket, attempt.Token).ConfigureAwait(false))
                {
                    ready();
                    return;
                }

                await Task.Delay(s_interval, cancel).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The reload ended another way.
        }
    }

    private static async Task<bool> TryOnceAsync(string check, string? firstSocket, CancellationToken cancel)
    {
        try
        {
            if (check == "tcp")
            {
                if (firstSocket is null)
                {
                    return false;
                }

                using var s = await ConnectAsync(firstSocket, cancel).ConfigureAwait(false);
                return true;
            }

            var uri = new Uri(check);
            using var socket = await ConnectAsync(uri.Host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), cancel).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes($"GET {uri.PathAndQuery} HTTP/1.0\r\nHost: {uri.Authority}\r\nUser-Agent: emperor-ready-check\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancel).ConfigureAwait(false);
            var buffer = new byte[64];
            var n = 0;
            while (n < 12)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, cancel).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                n += read;
            }

            // "HTTP/1.x 2xx"
            return buffer[0] == 'H' && buffer[9] == '2';
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or UriFormatException)
        {
            return false;
        }
    }

    private static async Task<Socket> ConnectAsync(string address, CancellationToken cancel)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || address.StartsWith('/') || address.StartsWith('@'))
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(address.StartsWith('@') ? "\0" + address[1..] : address), cancel).ConfigureAwait(false);
                return unix;
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        var host = address[..colon].Trim('[', ']');
        var ip = host.Length == 0 || host is "*" or "0.0.0.0" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : (await Dns.GetHostAddressesAsync(host, cancel).ConfigureAwait(false))[0];
        var port = int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await tcp.ConnectAsync(new IPEndPoint(ip, port), cancel).ConfigureAwait(false);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
