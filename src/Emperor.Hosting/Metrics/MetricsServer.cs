using System.Net.Sockets;
using System.Text;
using Emperor.Hosting.Net;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Metrics;

/// <summary>
/// <c>--emperor-metrics ADDR</c>: a minimal HTTP/1.0 endpoint serving Prometheus text at <c>/metrics</c>
/// (404 elsewhere). TCP <c>host:port</c> or a UNIX socket path, like the stats service.
/// </summary>
internal sealed partial class MetricsServer(string address, PrometheusExporter exporter, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _accepting;

    public void Start()
    {
        try
        {
            _listener = ServiceSocket.Listen(address, 32);
        }
        catch (Exception e) when (e is SocketException or FormatException or IOException)
        {
            throw new IOException($"cannot serve metrics on {address}: {e.Message}", e);
        }

        LogEnabled(logger, address);
        _accepting = ServiceSocket.AcceptLoopAsync(_listener, ServeAsync, _stop.Token);
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var buffer = new byte[8192];
            var used = 0;
            while (used < buffer.Length)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    break;
                }

                used += n;
                if (Encoding.ASCII.GetString(buffer, 0, used).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }

            var request = Encoding.ASCII.GetString(buffer, 0, used);
            var firstLine = request.Split("\r\n")[0].Split(' ');
            var path = firstLine.Length > 1 ? firstLine[1].Split('?')[0] : string.Empty;
            var (status, type, body) = firstLine[0] == "GET" && path == "/metrics"
                ? ("200 OK", "text/plain; version=0.0.4; charset=utf-8", exporter.Render())
                : ("404 Not Found", "text/plain; charset=utf-8", "not found: the metrics are at /metrics\n");
            var payload = Encoding.UTF8.GetBytes(body);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.0 {status}\r\nContent-Type: {type}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
            await client.SendAsync(head, SocketFlags.None, timeout.Token);
            await client.SendAsync(payload, SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A scraper that went away costs only its own connection.
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

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "*** Emperor metrics enabled on {Address} (/metrics) ***")]
    private static partial void LogEnabled(ILogger logger, string address);
}
