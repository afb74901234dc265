using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Emperor.Core.Control;
using Emperor.Core.Logs;
using Emperor.Core.Stats;

namespace Emperor.Hosting.Logs;

/// <summary>
/// Answers a <see cref="LogRequest"/> on the command socket: the tail from the rings, then (follow) new lines
/// until the client closes its end. Runs on the connection's task, never on the loop; a client that reads slowly
/// only loses its own lines.
/// </summary>
internal static class LogStreamer
{
    public static async Task ServeAsync(Socket client, LogRequest request, LogHub? logs, Func<Task<EmperorStats>>? stats, CancellationToken ct)
    {
        if (logs is null)
        {
            await SendAsync(client, "error this Emperor does not capture vassal output\n", ct);
            return;
        }

        if (request.Reopen)
        {
            await logs.Reopen().WaitAsync(TimeSpan.FromSeconds(10), ct);
            await SendAsync(client, "ok log files reopened\n", ct);
            return;
        }

        if (request.Name is { } name && logs.Tail(name, 1).Count == 0 && stats is not null
            && !(await stats().WaitAsync(TimeSpan.FromSeconds(5), ct)).Vassals.Any(v => v.Id == name))
        {
            await SendAsync(client, $"error no vassal named \"{name}\"\n", ct);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        if (!request.Follow)
        {
            foreach (var line in logs.Tail(request.Name, request.Count))
            {
                LogLineFormatter.WriteJson(buffer, line);
            }

            await client.SendAsync(buffer.WrittenMemory, SocketFlags.None, ct);
            return;
        }

        using var follower = logs.Follow(request.Name, request.Count, out var backlog);
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = WatchForCloseAsync(client, gone);
        foreach (var line in backlog)
        {
            LogLineFormatter.WriteJson(buffer, line);
        }

        try
        {
            while (true)
            {
                if (buffer.WrittenCount > 0)
                {
                    await client.SendAsync(buffer.WrittenMemory, SocketFlags.None, gone.Token);
                    buffer.ResetWrittenCount();
                }

                if (!await follower.Lines.WaitToReadAsync(gone.Token))
                {
                    return;
                }

                while (buffer.WrittenCount < 256 * 1024 && follower.Lines.TryRead(out var line))
                {
                    LogLineFormatter.WriteJson(buffer, line);
                }

                if (follower.TakeDropped() is > 0 and var dropped)
                {
                    Encoding.UTF8.GetBytes("{\"dropped\":" + dropped.ToString(CultureInfo.InvariantCulture) + "}\n", buffer);
                }
            }
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
            // The client went away, or the Emperor is stopping.
        }
    }

    /// <summary>A follower sends nothing; EOF or an error on its end means it is gone.</summary>
    private static async Task WatchForCloseAsync(Socket client, CancellationTokenSource gone)
    {
        var one = new byte[256];
        try
        {
            while (await client.ReceiveAsync(one, SocketFlags.None, gone.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        try
        {
            await gone.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task SendAsync(Socket client, string text, CancellationToken ct) =>
        await client.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None, ct);
}
