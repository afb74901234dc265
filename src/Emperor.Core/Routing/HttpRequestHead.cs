using System.Globalization;
using System.Text;

namespace Emperor.Core.Routing;

/// <summary>
/// An HTTP/1.x request head as the HTTP front reads it, turned into the uwsgi vars a uWSGI backend expects
/// (REQUEST_METHOD, REQUEST_URI, PATH_INFO, QUERY_STRING, SERVER_PROTOCOL, HTTP_*, CONTENT_LENGTH, CONTENT_TYPE,
/// SERVER_NAME/PORT, REMOTE_ADDR/PORT). Pure; parsing never throws.
/// </summary>
internal sealed record HttpRequestHead(string Method, string Target, string Protocol, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public const int MaxHead = 65536;

    public string Host => Header("host") ?? string.Empty;

    public string Path => Target.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? Target[..q] : Target;

    public long ContentLength => long.TryParse(Header("content-length"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>Whether the client wants the connection kept after this exchange (HTTP/1.1 default, 1.0 opt-in).</summary>
    public bool KeepAlive => Header("connection") is { } c
        ? c.Contains("keep-alive", StringComparison.OrdinalIgnoreCase) || (Protocol == "HTTP/1.1" && !c.Contains("close", StringComparison.OrdinalIgnoreCase))
        : Protocol == "HTTP/1.1";

    public string? Header(string name)
    {
        foreach (var (k, v) in Headers)
        {
            if (k.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Parses the bytes up to and including the blank line; null with the reason when it is not HTTP/1.x.</summary>
    public static HttpRequestHead? Parse(ReadOnlySpan<byte> head, out string error)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var first = lines[0].Split(' ');
        if (first.Length != 3 || first[0].Length == 0 || !first[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || first[1].Length == 0)
        {
            error = "not an HTTP/1.x request line";
            return null;
        }

        if (first[1].Contains("/../", StringComparison.Ordinal) || first[1].EndsWith("/..", StringComparison.Ordinal))
        {
            error = "dot segments in the request target";
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || lines[i][..colon].Any(c => c is ' ' or '\t'))
            {
                error = "a malformed header line";
                return null;
            }

            headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..].Trim()));
        }

        if (headers.Count(h => h.Key.Equals("content-length", StringComparison.OrdinalIgnoreCase)) > 1
            || headers.Any(h => h.Key.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)))
        {
            error = "chunked or ambiguous request bodies are not supported"; // no request smuggling through us
            return null;
        }

        error = string.Empty;
        return new HttpRequestHead(first[0], first[1], first[2], headers);
    }

    /// <summary>The uwsgi vars for this request, as uWSGI's http router builds them.</summary>
    public List<KeyValuePair<string, string>> ToUwsgiVars(string serverName, string serverPort, string remoteAddr, string remotePort)
    {
        var q = Target.IndexOf('?', StringComparison.Ordinal);
        var vars = new List<KeyValuePair<string, string>>
        {
            new("REQUEST_METHOD", Method),
            new("REQUEST_URI", Target),
            new("PATH_INFO", Uri.UnescapeDataString(q >= 0 ? Target[..q] : Target)),
            new("QUERY_STRING", q >= 0 ? Target[(q + 1)..] : string.Empty),
            new("SERVER_PROTOCOL", Protocol),
            new("SCRIPT_NAME", string.Empty),
            new("SERVER_NAME", serverName),
            new("SERVER_PORT", serverPort),
            new("REMOTE_ADDR", remoteAddr),
            new("REMOTE_PORT", remotePort),
        };
        foreach (var (k, v) in Headers)
        {
            var name = k.ToUpperInvariant().Replace('-', '_');
            vars.Add(name is "CONTENT_LENGTH" or "CONTENT_TYPE" ? new(name, v) : new("HTTP_" + name, v));
        }

        return vars;
    }

    /// <summary>Whether a response head delimits its own body (Content-Length or chunked), so the connection can be kept.</summary>
    public static bool ResponseIsSelfDelimited(ReadOnlySpan<byte> responseHead)
    {
        var text = Encoding.Latin1.GetString(responseHead);
        if (text.StartsWith("HTTP/1.0", StringComparison.Ordinal) && !text.Contains("\r\nConnection: keep-alive", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (text.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return text.Contains("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase)
            || text.Contains("\r\nTransfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
    }
}
