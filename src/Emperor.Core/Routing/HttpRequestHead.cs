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

    /// <summary>
    /// The request head sent to a node that speaks HTTP: the client's request line and headers, minus its hop-by-hop
    /// <c>Connection</c>/<c>Keep-Alive</c>, plus <c>X-Forwarded-For</c> and <c>Connection: close</c> (one request per
    /// node connection, as for uwsgi nodes, so the node's close ends the response).
    /// </summary>
    public byte[] ToNodeHead(string remoteAddr)
    {
        var b = new StringBuilder(256);
        b.Append(Method).Append(' ').Append(Target).Append(' ').Append(Protocol).Append("\r\n");
        string? forwarded = null;
        foreach (var (k, v) in Headers)
        {
            if (k.Equals("connection", StringComparison.OrdinalIgnoreCase) || k.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (k.Equals("x-forwarded-for", StringComparison.OrdinalIgnoreCase))
            {
                forwarded = v;
                continue;
            }

            b.Append(k).Append(": ").Append(v).Append("\r\n");
        }

        b.Append("X-Forwarded-For: ").Append(forwarded is null ? remoteAddr : forwarded + ", " + remoteAddr).Append("\r\n");
        b.Append("Connection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(b.ToString());
    }

    /// <summary>
    /// The HTTP/1.1 request head for a node that speaks HTTP, built from the uwsgi vars of a request that came
    /// through the fastrouter (nginx <c>uwsgi_pass</c>): REQUEST_METHOD, REQUEST_URI (else PATH_INFO and
    /// QUERY_STRING), HTTP_* as headers, CONTENT_TYPE and CONTENT_LENGTH; null when the vars are not a request.
    /// </summary>
    public static byte[]? FromUwsgiVars(IReadOnlyList<KeyValuePair<string, string>> vars)
    {
        string? method = null, uri = null, path = null, query = null, remote = null;
        var b = new StringBuilder(256);
        var headers = new StringBuilder(256);
        foreach (var (k, v) in vars)
        {
            if (v.Contains('\r', StringComparison.Ordinal) || v.Contains('\n', StringComparison.Ordinal))
            {
                return null; // no header injection through a var
            }

            switch (k)
            {
                case "REQUEST_METHOD":
                    method = v;
                    break;
                case "REQUEST_URI":
                    uri = v;
                    break;
                case "PATH_INFO":
                    path = v;
                    break;
                case "QUERY_STRING":
                    query = v;
                    break;
                case "REMOTE_ADDR":
                    remote = v;
                    break;
                case "CONTENT_TYPE":
                    headers.Append("Content-Type: ").Append(v).Append("\r\n");
                    break;
                case "CONTENT_LENGTH" when v.Length > 0:
                    headers.Append("Content-Length: ").Append(v).Append("\r\n");
                    break;
                default:
                    if (k.StartsWith("HTTP_", StringComparison.Ordinal) && k.Length > 5 && k is not ("HTTP_CONNECTION" or "HTTP_KEEP_ALIVE"))
                    {
                        headers.Append(HeaderName(k.AsSpan(5))).Append(": ").Append(v).Append("\r\n");
                    }

                    break;
            }
        }

        var target = uri ?? (path is null ? null : query is { Length: > 0 } ? path + "?" + query : path);
        if (method is not { Length: > 0 } || target is not { Length: > 0 } || method.Contains(' ', StringComparison.Ordinal) || target.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        b.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n").Append(headers);
        if (remote is { Length: > 0 })
        {
            b.Append("X-Forwarded-For: ").Append(remote).Append("\r\n");
        }

        b.Append("Connection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(b.ToString());
    }

    /// <summary>HTTP_USER_AGENT's header name: User-Agent.</summary>
    private static string HeaderName(ReadOnlySpan<char> var)
    {
        var chars = new char[var.Length];
        var upper = true;
        for (var i = 0; i < var.Length; i++)
        {
            var c = var[i];
            chars[i] = c == '_' ? '-' : upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
            upper = c == '_';
        }

        return new string(chars);
    }

    /// <summary>
    /// An HTTP/1.1 response head that delimits its body (Content-Length or chunked) without its <c>Connection</c> and
    /// <c>Keep-Alive</c> lines, ending with its last header's CRLF; null when the body is delimited by the close.
    /// </summary>
    public static byte[]? WithoutConnection(ReadOnlySpan<byte> responseHead)
    {
        var text = Encoding.Latin1.GetString(responseHead);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)
            || !(text.Contains("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase) || text.Contains("\r\nTransfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var b = new StringBuilder(text.Length);
        foreach (var line in text.Split("\r\n"))
        {
            if (line.Length == 0 || line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Keep-Alive:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            b.Append(line).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(b.ToString());
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
