using System.Globalization;
using System.Net;
using System.Text;

namespace Emperor.Core.Config.Options;

/// <summary>
/// A listening address as uWSGI writes them: a colon means TCP (<c>host:port</c>, <c>:port</c>, <c>*:port</c>,
/// <c>[v6]:port</c>), a leading <c>@</c> an abstract UNIX socket, anything else a UNIX socket path. Parsed once,
/// before anything starts, so that a bad value is one line naming what would be valid instead of an exception
/// deep in the socket code.
/// </summary>
internal sealed record ServiceAddress(ServiceAddressKind Kind, IPAddress? Ip, int Port, string Path)
{
    /// <summary>sun_path is 108 bytes with its terminating NUL (abstract names use the NUL as their first byte).</summary>
    public const int MaxUnixPathBytes = 107;

    private const string Valid = "valid: HOST:PORT (an IP address or localhost, port 1-65535), :PORT, [IPv6]:PORT, a UNIX socket path or @abstract-name";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why and what would be valid.</summary>
    public static bool TryParse(string text, out ServiceAddress address, out string error)
    {
        address = null!;
        error = string.Empty;
        if (text.Length == 0)
        {
            error = "the address is empty; " + Valid;
            return false;
        }

        if (text[0] == '@')
        {
            var name = text[1..];
            if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > MaxUnixPathBytes - 1)
            {
                error = $"an abstract socket name is 1 to {MaxUnixPathBytes - 1} bytes after the @";
                return false;
            }

            address = new ServiceAddress(ServiceAddressKind.UnixAbstract, null, 0, name);
            return true;
        }

        if (!text.Contains(':', StringComparison.Ordinal))
        {
            if (Encoding.UTF8.GetByteCount(text) > MaxUnixPathBytes)
            {
                error = $"a UNIX socket path is at most {MaxUnixPathBytes} bytes (this one has {Encoding.UTF8.GetByteCount(text)})";
                return false;
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                error = "a UNIX socket path cannot contain a NUL byte";
                return false;
            }

            address = new ServiceAddress(ServiceAddressKind.UnixPath, null, 0, text);
            return true;
        }

        string host;
        string portText;
        if (text[0] == '[')
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                error = "an IPv6 address is written [ADDRESS]:PORT, e.g. [::1]:1717";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!host.Contains(':', StringComparison.Ordinal) || !IPAddress.TryParse(host, out _))
            {
                error = $"\"{host}\" is not an IPv6 address; {Valid}";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = "an IPv6 address needs brackets: [ADDRESS]:PORT, e.g. [::1]:1717";
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"port \"{portText}\" is not a number from 1 to 65535";
            return false;
        }

        IPAddress? ip = host switch
        {
            "" or "*" or "0.0.0.0" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) && (host.Contains('.', StringComparison.Ordinal) || text[0] == '[') ? parsed : null,
        };
        if (ip is null)
        {
            error = $"\"{host}\" is not an IP address (or localhost); {Valid}";
            return false;
        }

        address = new ServiceAddress(ServiceAddressKind.Tcp, ip, port, string.Empty);
        return true;
    }

    /// <summary>Parses an address that was validated before; a bad one here is a bug, not user input.</summary>
    public static ServiceAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException($"{text}: {error}");

    /// <summary>The address to connect to: a wildcard listener is reached on loopback.</summary>
    public IPAddress ConnectIp =>
        Ip is null ? throw new InvalidOperationException("not a TCP address")
        : Ip.Equals(IPAddress.Any) ? IPAddress.Loopback
        : Ip.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : Ip;
}
