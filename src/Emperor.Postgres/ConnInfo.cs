using System.Globalization;
using System.Text;
using Emperor.Core.Config;
using Npgsql;

namespace Emperor.Postgres;

/// <summary>
/// Reads a libpq connection string (<c>host=db dbname=fleet user=emperor</c>, values optionally in single quotes
/// with backslash escapes) or a libpq URI (<c>postgresql://emperor@db:5432/fleet?sslmode=require</c>) into Npgsql's
/// builder, with libpq's defaults: the <c>PG*</c> environment variables, then the Unix socket directory
/// <c>/var/run/postgresql</c> (Debian's libpq), port 5432, the OS user, a database named like the user. uWSGI's
/// emperor_pg hands the text to <c>PQconnectdb</c>, so existing <c>--emperor pg://…</c> lines keep meaning the same.
/// Never throws on user input: a problem is returned as one message.
/// </summary>
internal static class ConnInfo
{
    /// <summary>Debian builds libpq with this socket directory (pg_config --configure: DEFAULT_PGSOCKET_DIR).</summary>
    public const string DefaultSocketDirectory = "/var/run/postgresql";

    /// <summary>libpq waits forever without <c>connect_timeout</c>; a supervisor must not.</summary>
    public const int DefaultConnectTimeoutSeconds = 5;

    private static readonly (string Variable, string Keyword)[] s_environment =
    [
        ("PGHOST", "host"),
        ("PGHOSTADDR", "hostaddr"),
        ("PGPORT", "port"),
        ("PGDATABASE", "dbname"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
        ("PGPASSFILE", "passfile"),
        ("PGAPPNAME", "application_name"),
        ("PGCONNECT_TIMEOUT", "connect_timeout"),
        ("PGSSLMODE", "sslmode"),
        ("PGSSLCERT", "sslcert"),
        ("PGSSLKEY", "sslkey"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGOPTIONS", "options"),
        ("PGTARGETSESSIONATTRS", "target_session_attrs"),
        ("PGKRBSRVNAME", "krbsrvname"),
        ("PGGSSENCMODE", "gssencmode"),
        ("PGCHANNELBINDING", "channel_binding"),
        ("PGREQUIREAUTH", "require_auth"),
    ];

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="environment"/> answers <c>PG*</c> variables (null = unset)
    /// and <paramref name="osUser"/> is the default user name.
    /// </summary>
    public static NpgsqlConnectionStringBuilder? Parse(string text, Func<string, string?> environment, string osUser, out string? error)
    {
        var builder = Read(text, environment, osUser, out error);

        // Errors quote keys and values, which may hold line breaks: the one line a bad argument gets stays one.
        error = error is null ? null : OneLineText.Escape(error);
        return builder;
    }

    private static NpgsqlConnectionStringBuilder? Read(string text, Func<string, string?> environment, string osUser, out string? error)
    {
        var given = new List<KeyValuePair<string, string>>();
        error = text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal)
            ? ParseUri(text, given)
            : ParseKeywords(text, given);
        if (error is not null)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (variable, keyword) in s_environment)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                values[keyword] = value;
            }
        }

        foreach (var (key, value) in given)
        {
            values[key] = value;
        }

        var builder = new NpgsqlConnectionStringBuilder { Timeout = DefaultConnectTimeoutSeconds };
        foreach (var (key, value) in values)
        {
            // A NUL can arrive through a JSON/YAML escape or a URI's %00; the builder throws on it, libpq would
            // cut the value there. Neither is what the user meant.
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                error = $"the value of {key} contains a NUL character";
                return null;
            }

            try
            {
                error = Apply(builder, key, value, values);
            }
            catch (ArgumentException e)
            {
                // Npgsql validates some values itself; its refusal is a bad argument, not a crash of the monitor.
                error = $"{key} \"{value}\" is not accepted: {e.Message}";
            }

            if (error is not null)
            {
                return null;
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            builder.Host = DefaultSocketDirectory;
        }

        if (string.IsNullOrEmpty(builder.Username))
        {
            builder.Username = osUser;
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = builder.Username;
        }

        return builder;
    }

    private static string? Apply(NpgsqlConnectionStringBuilder b, string key, string value, Dictionary<string, string> all)
    {
        switch (key)
        {
            case "host":
                b.Host = value;
                return null;
            case "hostaddr":
                // Npgsql has no separate numeric address; it only replaces the name when no name was given.
                if (!all.ContainsKey("host"))
                {
                    b.Host = value;
                }

                return null;
            case "port":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    return $"port \"{value}\" is not a port number";
                }

                b.Port = port;
                return null;
            case "dbname":
                b.Database = value;
                return null;
            case "user":
                b.Username = value;
                return null;
            case "password":
                b.Password = value;
                return null;
            case "passfile":
                b.Passfile = value;
                return null;
            case "application_name" or "fallback_application_name":
                if (key == "application_name" || !all.ContainsKey("application_name"))
                {
                    b.ApplicationName = value;
                }

                return null;
            case "connect_timeout":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    return $"connect_timeout \"{value}\" is not a whole number of seconds";
                }

                // libpq: 0 waits forever; a supervisor must not, so 0 keeps the default.
                if (seconds > 0)
                {
                    b.Timeout = Math.Min(seconds, 1024);
                }

                return null;
            case "sslmode":
                SslMode? mode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => null,
                };
                if (mode is null)
                {
                    return $"sslmode \"{value}\" is not one of disable, allow, prefer, require, verify-ca, verify-full";
                }

                b.SslMode = mode.Value;
                return null;
            case "sslcert":
                b.SslCertificate = value;
                return null;
            case "sslkey":
                b.SslKey = value;
                return null;
            case "sslpassword":
                b.SslPassword = value;
                return null;
            case "sslrootcert":
                b.RootCertificate = value;
                return null;
            case "options":
                b.Options = value;
                return null;
            case "target_session_attrs":
                b.TargetSessionAttributes = value;
                return null;
            case "krbsrvname":
                b.KerberosServiceName = value;
                return null;
            case "keepalives":
                b.TcpKeepAlive = value != "0";
                return null;
            case "keepalives_idle":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var idle))
                {
                    return $"keepalives_idle \"{value}\" is not a whole number of seconds";
                }

                b.TcpKeepAlive = true;
                b.TcpKeepAliveTime = idle;
                return null;
            case "keepalives_interval":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var interval))
                {
                    return $"keepalives_interval \"{value}\" is not a whole number of seconds";
                }

                b.TcpKeepAliveInterval = interval;
                return null;
            case "gssencmode" or "channel_binding" or "require_auth" or "client_encoding" or "keepalives_count" or "tcp_user_timeout":
                // Accepted for compatibility; the monitor sets its own client encoding (raw bytes, validated per row)
                // and Npgsql negotiates the rest itself.
                return null;
            case "service":
                return "the service keyword (pg_service.conf) is not supported; spell out host, port and dbname";
            default:
                return $"unknown connection option \"{key}\"";
        }
    }

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
