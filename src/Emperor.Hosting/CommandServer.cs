using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Emperor.Core.Control;
using Emperor.Core.Stats;
using Emperor.Hosting.Net;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// The command socket (<c>--emperor-command-socket PATH</c>, the name uWSGI 2.1 uses): a UNIX stream socket,
/// owner-only (0600) by default, one <see cref="ControlCommand"/> line per connection, one reply line.
/// Commands are executed on the event loop; this class only reads, posts and writes. With a stats source, the
/// line <c>stats</c> is answered with the stats document (one JSON line), so that <c>emperor ls</c> needs only
/// this socket to find a running Emperor.
/// </summary>
/// <param name="path">The socket path (or <c>@abstract</c> name).</param>
/// <param name="execute">Runs a command on the loop.</param>
/// <param name="logger">The Emperor's log.</param>
/// <param name="stats">Takes a stats snapshot; null: <c>stats</c> is an unknown command.</param>
/// <param name="replaceLive">
/// Replace a socket another live process answers on (an explicit path: the user said so); false for the default
/// place, where that fails with <see cref="SocketHeldException"/> and a stale file is still replaced.
/// </param>
/// <param name="logs">Captured vassal output for <see cref="LogRequest"/>s (<c>emperor logs</c>), or null.</param>
internal sealed partial class CommandServer(
    string path, Func<ControlCommand, Task<string>> execute, ILogger logger, Func<Task<EmperorStats>>? stats = null, bool replaceLive = true,
    Logs.LogHub? logs = null) : IAsyncDisposable
{
    /// <summary>The request line that asks for the stats document.</summary>
    public const string StatsRequest = "stats";

    private readonly bool _isFile = ServiceSocket.IsUnixPath(path);
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _accepting;

    public void Start()
    {
        try
        {
            _listener = ServiceSocket.Listen(path, 16, replaceLive);
            if (_isFile)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException && e is not SocketHeldException)
        {
            throw new IOException($"cannot create the command socket {path}: {e.Message}", e);
        }

        LogEnabled(logger, path);
        _accepting = ServiceSocket.AcceptLoopAsync(_listener, ServeAsync, _stop.Token);
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var line = await ReadLineAsync(client, timeout.Token);
            string reply;
            if (line is null)
            {
                reply = "error the request is not one line of at most 4096 bytes";
            }
            else if (LogRequest.IsLogRequest(line))
            {
                if (!LogRequest.TryParse(line, out var request, out var logError))
                {
                    reply = "error " + logError;
                }
                else
                {
                    await Logs.LogStreamer.ServeAsync(client, request, logs, stats, ct);
                    client.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
            else if (stats is not null && line.TrimEnd('\r') == StatsRequest)
            {
                var snapshot = await stats().WaitAsync(timeout.Token);
                reply = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(snapshot, StatsJsonContext.Default.EmperorStats));
            }
            else if (!ControlCommand.TryParse(line, out var command, out var error))
            {
                reply = "error " + error;
            }
            else
            {
                LogCommand(logger, command);
                reply = await execute(command).WaitAsync(timeout.Token);
            }

            await client.SendAsync(Encoding.UTF8.GetBytes(reply + "\n"), SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // The client went away; nothing to undo.
        }
    }

    private static async Task<string?> ReadLineAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[ControlCommand.MaxLineBytes];
        var used = 0;
        while (used < buffer.Length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, ct);
            if (n == 0)
            {
                break;
            }

            used += n;
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, used);
            if (newline >= 0)
            {
                return DecodeOrNull(buffer.AsSpan(0, newline));
            }
        }

        return used is > 0 and < ControlCommand.MaxLineBytes ? DecodeOrNull(buffer.AsSpan(0, used)) : null;
    }

    private static string? DecodeOrNull(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
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

        if (_isFile && _listener is not null && File.Exists(path))
        {
            File.Delete(path);
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "*** Emperor command socket enabled on {Path} ***")]
    private static partial void LogEnabled(ILogger logger, string path);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "[emperor] command: {Command}")]
    private static partial void LogCommand(ILogger logger, ControlCommand command);
}
