using System.Globalization;

namespace Emperor.Amqp;

/// <summary>
/// <c>amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST]</c> (spec §2.7). uWSGI 2.0 reads only <c>HOST:PORT</c> and always
/// logs in as guest/guest on vhost <c>/</c>; its own comment promises the longer syntax, which is read here with the
/// same defaults, so every uWSGI argument means the same. PORT defaults to 5672; USER, PASSWORD and VHOST are
/// percent-decoded (<c>%2F</c> for a vhost holding '/').
/// </summary>
/// <param name="Argument">The argument as stats and logs show it: the password, if any, masked.</param>
/// <param name="Host">The broker's host name or address.</param>
/// <param name="Port">The broker's port.</param>
/// <param name="User">The user name (guest by default, as uWSGI).</param>
/// <param name="Password">The password (guest by default).</param>
/// <param name="VirtualHost">The vhost (<c>/</c> by default).</param>
internal sealed record AmqpSource(string Argument, string Host, int Port, string User, string Password, string VirtualHost)
{
    public const string Scheme = "amqp://";

    /// <summary>The exchange uWSGI's emperor_amqp binds its queue to.</summary>
    public const string Exchange = "uwsgi.emperor";

    public const int DefaultPort = 5672;

    /// <summary>Parses a <c>--emperor</c> value (with or without the scheme); null and a reason when it cannot be used.</summary>
    public static AmqpSource? Parse(string argument, out string? error)
    {
        error = null;
        var text = argument.StartsWith(Scheme, StringComparison.Ordinal) ? argument[Scheme.Length..] : argument;
        var user = "guest";
        var password = "guest";
        var shown = text;
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = text[..at];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? credentials : credentials[..colon]);
            password = colon < 0 ? string.Empty : Uri.UnescapeDataString(credentials[(colon + 1)..]);
            shown = (colon < 0 ? credentials : credentials[..colon] + ":***") + text[at..];
            text = text[(at + 1)..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var vhost = slash < 0 || slash == text.Length - 1 ? "/" : Uri.UnescapeDataString(text[(slash + 1)..]);
        var hostPort = slash < 0 ? text : text[..slash];
        string host;
        var port = DefaultPort;
        string? portText = null;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "an IPv6 address needs its closing ]";
                return null;
            }

            host = hostPort[1..close];
            var rest = hostPort[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"unexpected \"{rest}\" after the host";
                    return null;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort[..colon];
            portText = colon < 0 ? null : hostPort[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            error = "no broker host (amqp://HOST[:PORT])";
            return null;
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"\"{portText}\" is not a TCP port";
            return null;
        }

        return new AmqpSource(Scheme + shown, host, port, user, password, vhost);
    }
}
