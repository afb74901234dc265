using System.Globalization;
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
internal static partial class ConnInfo
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
}
