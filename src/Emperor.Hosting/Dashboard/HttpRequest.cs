using System.Net.Sockets;
using System.Text;

namespace Emperor.Hosting.Dashboard;

/// <summary>
/// The little of HTTP/1.1 the dashboard needs: one request per connection (the answer closes it), a head of at most
/// <see cref="MaxHeadBytes"/>, a body of at most <see cref="MaxBodyBytes"/> (form posts only). Anything else is
/// refused with a status, never an exception out of the connection.
/// </summary>
internal sealed record HttpRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public const int MaxHeadBytes = 16 * 1024;
    public const int MaxBodyBytes = 4096;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>A query or form parameter, URL-decoded.</summary>
    public static string? Parameter(string encoded, string name)
    {
        foreach (var pair in encoded.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            if (key == name)
            {
                return eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        return null;
    }

    /// <summary>Reads one request; null with the status to answer (400, 413, 431) when it is not one we take.</summary>
    public static async Task<(HttpRequest? Request, int Status)> ReadAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[MaxHeadBytes + MaxBodyBytes];
        var used = 0;
        var headEnd = -1;
        while (headEnd < 0)
        {
            if (used == MaxHeadBytes)
            {
                return (null, 431);
            }

            var n = await client.ReceiveAsync(buffer.AsMemory(used, MaxHeadBytes - used), SocketFlags.None, ct);
            if (n == 0)
            {
                return (null, 400);
            }

            used += n;
            headEnd = buffer.AsSpan(0, used).IndexOf("\r\n\r\n"u8);
        }

        var head = Encoding.Latin1.GetString(buffer, 0, headEnd).Split("\r\n");
        var start = head[0].Split(' ');
        if (start.Length != 3 || !start[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !start[1].StartsWith('/'))
        {
            return (null, 400);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return (null, 400);
            }

            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var length = 0;
        if (headers.TryGetValue("Content-Length", out var cl) && (!int.TryParse(cl, out length) || length < 0))
        {
            return (null, 400);
        }

        if (length > MaxBodyBytes)
        {
            return (null, 413);
        }

        var bodyStart = headEnd + 4;
        while (used - bodyStart < length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(used, bodyStart + length - used), SocketFlags.None, ct);
            if (n == 0)
            {
                return (null, 400);
            }

            used += n;
        }

        var target = start[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var body = Encoding.UTF8.GetString(buffer, bodyStart, length);
        return (new HttpRequest(start[0], q < 0 ? target : target[..q], q < 0 ? string.Empty : target[(q + 1)..], headers, body), 200);
    }
}
