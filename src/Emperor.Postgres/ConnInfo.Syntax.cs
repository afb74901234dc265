using System.Globalization;
using System.Text;

namespace Emperor.Postgres;

/// <summary>The two conninfo syntaxes libpq reads: <c>key=value</c> words and the <c>postgresql://</c> URI.</summary>
internal static partial class ConnInfo
{
    /// <summary>libpq keyword/value syntax: <c>key = value key='quoted \' value'</c>.</summary>
    private static string? ParseKeywords(string text, List<KeyValuePair<string, string>> result)
    {
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return null;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '=')
            {
                return $"missing \"=\" after \"{key}\" in the connection string";
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        value.Append(text[i++]);
                    }
                    else if (c == '\'')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!closed)
                {
                    return $"unterminated quoted value for \"{key}\" in the connection string";
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        c = text[i++];
                    }

                    value.Append(c);
                }
            }

            result.Add(new(key, value.ToString()));
        }
    }

    /// <summary>libpq URI syntax: <c>postgresql://[user[:password]@][host][:port][,…][/dbname][?key=value&amp;…]</c>.</summary>
    private static string? ParseUri(string text, List<KeyValuePair<string, string>> result)
    {
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (rest[(slash + 1)..] is { Length: > 0 } db)
            {
                result.Add(new("dbname", Unescape(db)));
            }

            rest = rest[..slash];
        }

        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var user = rest[..at];
            rest = rest[(at + 1)..];
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                result.Add(new("password", Unescape(user[(colon + 1)..])));
                user = user[..colon];
            }

            if (user.Length > 0)
            {
                result.Add(new("user", Unescape(user)));
            }
        }

        // Hosts: "h1:5432,h2,[::1]:5433". One host: host and port keywords; several: Npgsql's "h1:5432,h2" list.
        if (rest.Length > 0)
        {
            var hosts = new List<(string Host, string? Port)>();
            foreach (var part in rest.Split(','))
            {
                string host;
                string? port = null;
                if (part.StartsWith('['))
                {
                    var close = part.IndexOf(']', StringComparison.Ordinal);
                    if (close < 0 || (close + 1 < part.Length && part[close + 1] != ':'))
                    {
                        return $"\"{part}\" is not a valid [IPv6]:port host";
                    }

                    host = part[1..close];
                    port = close + 1 < part.Length ? part[(close + 2)..] : null;
                }
                else
                {
                    var colon = part.LastIndexOf(':');
                    host = colon >= 0 ? part[..colon] : part;
                    port = colon >= 0 ? part[(colon + 1)..] : null;
                }

                if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535))
                {
                    return $"port \"{port}\" is not a port number";
                }

                hosts.Add((Unescape(host), port));
            }

            if (hosts.Count == 1)
            {
                if (hosts[0].Host.Length > 0)
                {
                    result.Add(new("host", hosts[0].Host));
                }

                if (hosts[0].Port is { } port)
                {
                    result.Add(new("port", port));
                }
            }
            else
            {
                result.Add(new("host", string.Join(',', hosts.Select(h =>
                    (h.Host.Contains(':', StringComparison.Ordinal) ? "[" + h.Host + "]" : h.Host) + (h.Port is null ? "" : ":" + h.Port)))));
            }
        }

        if (query is not null)
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    return $"missing \"=\" in the URI parameter \"{pair}\"";
                }

                var key = Unescape(pair[..eq]);
                var value = Unescape(pair[(eq + 1)..]);
                if (key == "ssl" && value == "true")
                {
                    // libpq's JDBC-compatible alias.
                    (key, value) = ("sslmode", "require");
                }

                result.Add(new(key, value));
            }
        }

        return null;
    }

    private static string Unescape(string s) => s.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(s) : s;
}
