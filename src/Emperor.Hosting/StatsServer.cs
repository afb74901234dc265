using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Emperor.Core.Stats;
using Emperor.Hosting.Net;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// The stats service (spec §8): on every connection, one JSON document, then close. TCP when the address has
/// a colon (<c>host:port</c>, <c>:port</c>, <c>[::1]:port</c>), else a UNIX socket path. With
/// <c>--stats-http</c> the request is read and the document is sent as an HTTP/1.0 response.
/// </summary>
/// <remarks>
/// The snapshot is taken on the event loop (a posted request, answered between two events), serialised and
/// written here, so a slow client never holds the loop and the loop never holds a client.
/// </remarks>
internal sealed partial class StatsServer(string address, bool http, Func<Task<EmperorStats>> snapshot, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _accepting;

    public string Address => address;

    /// <summary>Binds the socket. Throws an <see cref="IOException"/> naming the address when it cannot.</summary>
    public void Start()
    {
        try
        {
            _listener = ServiceSocket.Listen(address, 100);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot serve stats on {address}: {e.Message}", e);
        }

        var fd = (int)_listener.SafeHandle.DangerousGetHandle();
        LogEnabled(logger, address, fd);
        _accepting = ServiceSocket.AcceptLoopAsync(_listener, ServeAsync, _stop.Token);
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(4));
            if (http)
            {
                var buffer = new byte[4096];
                await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }

            var stats = await snapshot().WaitAsync(timeout.Token);
            var json = JsonSerializer.SerializeToUtf8Bytes(stats, StatsJsonContext.Default.EmperorStats);
            if (http)
            {
                var head = Encoding.ASCII.GetBytes(
                    "HTTP/1.0 200 OK\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: application/json\r\n"
                    + $"Content-Length: {json.Length}\r\n\r\n");
                await client.SendAsync(head, SocketFlags.None, timeout.Token);
            }

            var sent = 0;
            while (sent < json.Length)
            {
                sent += await client.SendAsync(json.AsMemory(sent), SocketFlags.None, timeout.Token);
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // A client that went away or stalled costs nothing but its own connection.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        if (_accepting is not null)
        {
            await _accepting;
        }

        if (ServiceSocket.IsUnixPath(address) && File.Exists(address))
        {
            File.Delete(address);
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "*** Emperor stats server enabled on {Address} fd: {Fd} ***")]
    private static partial void LogEnabled(ILogger logger, string address, int fd);
}
