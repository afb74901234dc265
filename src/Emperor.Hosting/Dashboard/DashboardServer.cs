using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Emperor.Core.Control;
using Emperor.Core.Logs;
using Emperor.Core.Stats;
using Emperor.Hosting.Logs;
using Emperor.Hosting.Net;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Dashboard;

/// <summary>
/// <c>--emperor-dashboard ADDR</c> (docs/dashboard.md): one page with its assets embedded, live by server-sent events,
/// with the actions reload, stop, start and pardon. A small HTTP/1.1 server of its own on <see cref="ServiceSocket"/>
/// (the measurement behind that choice is in docs/design.md). It reads the same snapshot as the stats service, taken
/// between two events of the loop, and never holds the loop: serialising, /proc reading and sending happen here.
/// </summary>
/// <remarks>
/// Every POST must carry the page's CSRF token in <c>X-CSRF-Token</c> (a header a cross-site form cannot set, holding
/// a secret a cross-site page cannot read). With <c>--emperor-dashboard-auth FILE</c> every request needs basic auth.
/// </remarks>
internal sealed partial class DashboardServer(
    string address,
    Func<Task<EmperorStats>> snapshot,
    Func<ControlCommand, Task<string>> execute,
    LogHub? logs,
    DashboardAuth? auth,
    ILogger logger) : IAsyncDisposable
{
    /// <summary>How often the page gets a fresh snapshot.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly string _csrf = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _accepting;

    /// <summary>Binds the socket; an <see cref="IOException"/> naming the address when it cannot.</summary>
    public void Start()
    {
        try
        {
            _listener = ServiceSocket.Listen(address, 64);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot serve the dashboard on {address}: {e.Message}", e);
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
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var (request, status) = await HttpRequest.ReadAsync(client, timeout.Token);
            if (request is null)
            {
                await RespondAsync(client, status, "text/plain", "bad request\n"u8.ToArray(), ct);
                return;
            }

            if (auth is not null && !auth.Admits(request.Header("Authorization")))
            {
                await RespondAsync(client, 401, "text/plain", "authentication required\n"u8.ToArray(), ct, "WWW-Authenticate: Basic realm=\"emperor\", charset=\"UTF-8\"\r\n");
                return;
            }

            await RouteAsync(client, request, ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException or IOException)
        {
            // The browser went away or stalled: only its connection is lost.
        }
    }

    private async Task RouteAsync(Socket client, HttpRequest request, CancellationToken ct)
    {
        switch (request.Method, request.Path)
        {
            case ("GET", "/"):
                await RespondAsync(client, 200, "text/html; charset=utf-8", DashboardAssets.Page(_csrf), ct);
                break;
            case ("GET", "/app.js"):
                await RespondAsync(client, 200, "text/javascript; charset=utf-8", DashboardAssets.Get("app.js"), ct);
                break;
            case ("GET", "/app.css"):
                await RespondAsync(client, 200, "text/css; charset=utf-8", DashboardAssets.Get("app.css"), ct);
                break;
            case ("GET", "/api/stats"):
                await RespondAsync(client, 200, "application/json", await DashboardPayload.BuildAsync(snapshot, new ProcessUsage()), ct);
                break;
            case ("GET", "/events"):
                await StatsEventsAsync(client, ct);
                break;
            case ("GET", "/events/logs"):
                await LogEventsAsync(client, request, ct);
                break;
            case ("POST", "/api/action"):
                await ActionAsync(client, request, ct);
                break;
            case (not ("GET" or "POST"), _):
                await RespondAsync(client, 405, "text/plain", "method not allowed\n"u8.ToArray(), ct);
                break;
            default:
                await RespondAsync(client, 404, "text/plain", "not found\n"u8.ToArray(), ct);
                break;
        }
    }

    private async Task ActionAsync(Socket client, HttpRequest request, CancellationToken ct)
    {
        var token = request.Header("X-CSRF-Token");
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(_csrf)))
        {
            await RespondAsync(client, 403, "text/plain", "missing or wrong CSRF token (reload the page)\n"u8.ToArray(), ct);
            return;
        }

        var verb = HttpRequest.Parameter(request.Body, "verb");
        var name = HttpRequest.Parameter(request.Body, "name");
        var line = verb is "pardon" ? "pardon" : verb is "reload" or "stop" or "start" && !string.IsNullOrEmpty(name) ? verb + " " + name : null;
        if (line is null || !ControlCommand.TryParse(line, out var command, out var error))
        {
            await RespondAsync(client, 400, "text/plain", "expected verb=reload|stop|start&name=NAME or verb=pardon\n"u8.ToArray(), ct);
            return;
        }

        LogAction(logger, command);
        var reply = await execute(command).WaitAsync(TimeSpan.FromSeconds(10), ct);
        var ok = reply.StartsWith("ok", StringComparison.Ordinal);
        await RespondAsync(client, ok ? 200 : 409, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(reply + "\n"), ct);
    }

    private async Task StatsEventsAsync(Socket client, CancellationToken ct)
    {
        await SendAsync(client, Encoding.ASCII.GetBytes(EventStreamHead), ct);
        var usage = new ProcessUsage();
        using var gone = Gone(client, ct);
        while (!gone.IsCancellationRequested)
        {
            var payload = await DashboardPayload.BuildAsync(snapshot, usage);
            var frame = new ArrayBufferWriter<byte>(payload.Length + 32);
            frame.Write("event: stats\ndata: "u8);
            frame.Write(payload);
            frame.Write("\n\n"u8);
            await SendAsync(client, frame.WrittenMemory, gone.Token);
            await Task.Delay(Period, gone.Token);
        }
    }

    private async Task LogEventsAsync(Socket client, HttpRequest request, CancellationToken ct)
    {
        var name = HttpRequest.Parameter(request.Query, "name");
        if (logs is null || string.IsNullOrEmpty(name))
        {
            await RespondAsync(client, logs is null ? 404 : 400, "text/plain", "no log capture, or no name=\n"u8.ToArray(), ct);
            return;
        }

        _ = int.TryParse(HttpRequest.Parameter(request.Query, "n"), out var count);
        using var follower = logs.Follow(name, Math.Clamp(count, 0, LogHub.RingLines), out var backlog);
        using var gone = Gone(client, ct);
        var frame = new ArrayBufferWriter<byte>(64 * 1024);
        frame.Write(Encoding.ASCII.GetBytes(EventStreamHead));
        foreach (var line in backlog)
        {
            Frame(frame, line);
        }

        try
        {
            while (true)
            {
                if (frame.WrittenCount > 0)
                {
                    await SendAsync(client, frame.WrittenMemory, gone.Token);
                    frame.ResetWrittenCount();
                }

                if (!await follower.Lines.WaitToReadAsync(gone.Token))
                {
                    return;
                }

                while (frame.WrittenCount < 128 * 1024 && follower.Lines.TryRead(out var line))
                {
                    Frame(frame, line);
                }
            }
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
        }

        static void Frame(ArrayBufferWriter<byte> frame, VassalLogLine line)
        {
            frame.Write("data: "u8);
            LogLineFormatter.WriteJson(frame, line); // one line of JSON, newline-terminated
            frame.Write("\n"u8);
        }
    }

    private const string EventStreamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n";

    /// <summary>Cancelled when the browser closes its end (it sends nothing after the request).</summary>
    private static CancellationTokenSource Gone(Socket client, CancellationToken ct)
    {
        var gone = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = Task.Run(async () =>
        {
            var one = new byte[64];
            try
            {
                while (await client.ReceiveAsync(one, SocketFlags.None, gone.Token) > 0)
                {
                }

                await gone.CancelAsync();
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                try
                {
                    await gone.CancelAsync();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }, CancellationToken.None);
        return gone;
    }

    private static async Task RespondAsync(Socket client, int status, string type, ReadOnlyMemory<byte> body, CancellationToken ct, string extra = "")
    {
        var reason = status switch
        {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            409 => "Conflict",
            413 => "Content Too Large",
            _ => "Request Header Fields Too Large",
        };
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nCache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'self'\r\nConnection: close\r\n" + extra + "\r\n";
        await SendAsync(client, Encoding.ASCII.GetBytes(head), ct);
        await SendAsync(client, body, ct);
        client.Shutdown(SocketShutdown.Send);
    }

    private static async Task SendAsync(Socket client, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (bytes.Length > 0)
        {
            var n = await client.SendAsync(bytes, SocketFlags.None, ct);
            bytes = bytes[n..];
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

    [LoggerMessage(EventId = 65, Level = LogLevel.Information, Message = "*** Emperor dashboard enabled on http://{Address}/ ***")]
    private static partial void LogEnabled(ILogger logger, string address);

    [LoggerMessage(EventId = 66, Level = LogLevel.Information, Message = "[emperor] dashboard: {Command}")]
    private static partial void LogAction(ILogger logger, ControlCommand command);
}
