using System.Globalization;
using Emperor.Core.Config;
using Emperor.Core.Config.Options;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Subscriptions;

/// <summary>
/// One subscription a vassal's file asks for, which the Emperor announces on the vassal's behalf (issue #14 §3).
/// </summary>
/// <param name="Server">The subscription server: <c>HOST:PORT</c> (a UDP datagram) or a UNIX path (a UNIX datagram).</param>
/// <param name="Key">The routing key: a hostname, optionally <c>:port</c>, optionally a <c>/path</c> prefix (ours).</param>
/// <param name="Address">The node address announced; null: the vassal's first socket (as uWSGI announces its first).</param>
/// <param name="SocketIndex">subscribe2's <c>socket=N</c>: the vassal's Nth socket (0-based, as uWSGI counts).</param>
/// <param name="Modifier1">The node's modifier1 (the app it serves; 0 = WSGI), as uWSGI's <c>,MODIFIER1</c>.</param>
/// <param name="Modifier2">The node's modifier2.</param>
/// <param name="Weight">Its weight in the router's weighted round robin (1).</param>
/// <param name="Proto">"http" or "uwsgi" when the file says (subscribe2's <c>proto</c>, ours), else null: by the socket's kind.</param>
internal sealed record AnnouncedSubscription(
    string Server,
    string Key,
    string? Address,
    int? SocketIndex,
    int Modifier1,
    int Modifier2,
    int Weight,
    string? Proto);

/// <summary>
/// The subscriptions of one vassal's file, read as uWSGI 2.0 reads them (core/subscription.c), for the Emperor to
/// announce: <c>subscribe-to</c> (also <c>st</c>, <c>subscribe</c>) as <c>[ADDRESS=]SERVER:KEY[,MODIFIER1]</c>,
/// <c>subscribe2</c> as <c>server=…,key=…[,addr=…][,socket=N][,weight=N][,modifier1=N][,modifier2=N][,check=FILE]</c>
/// (plus our <c>proto=http|uwsgi</c>; the caller answers whether <c>check</c> exists), and <c>subscribe-freq</c> (seconds between announces, 10). What uWSGI does
/// that the Emperor does not — signed packets, SNI keys, keys read from a file (<c>SERVER:@FILE</c>), a shared socket
/// by number (<c>=N=</c>) — is one error each, never silence. Pure.
/// </summary>
internal sealed record VassalSubscriptions(IReadOnlyList<AnnouncedSubscription> Items, TimeSpan Frequency)
{
    public static readonly TimeSpan DefaultFrequency = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Set (to <see cref="Taken"/>) in a vassal's environment when the Emperor read its subscriptions and announces
    /// them (or said why not); without it the vassal role says in one line that they are not announced.
    /// </summary>
    public const string Variable = "EMPEROR_SUBSCRIPTIONS";

    public const string Taken = "announced by the Emperor";

    /// <summary>The options that ask for a subscription.</summary>
    public static bool IsSubscriptionOption(string key) => key is "subscribe-to" or "st" or "subscribe" or "subscribe2";

    public static readonly VassalSubscriptions None = new([], DefaultFrequency);

    public static (VassalSubscriptions Value, List<string> Errors) Read(IReadOnlyList<ConfigOption> options, Func<string, bool> fileExists)
    {
        var items = new List<AnnouncedSubscription>();
        var errors = new List<string>();
        var frequency = DefaultFrequency;
        foreach (var (key, raw) in options)
        {
            var value = (raw ?? string.Empty).Trim();
            switch (key)
            {
                case "subscribe-to" or "st" or "subscribe":
                    if (ParseSubscribeTo(value, out var item, out var why))
                    {
                        items.Add(item);
                    }
                    else
                    {
                        errors.Add($"{key} = {value}: {why}");
                    }

                    break;
                case "subscribe2":
                    if (ParseSubscribe2(value, fileExists, out var item2, out var why2))
                    {
                        if (item2 is not null)
                        {
                            items.Add(item2);
                        }
                    }
                    else
                    {
                        errors.Add($"subscribe2 = {value}: {why2}");
                    }

                    break;
                case "subscribe-freq":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600)
                    {
                        frequency = TimeSpan.FromSeconds(seconds);
                    }
                    else
                    {
                        errors.Add($"subscribe-freq = {value}: expected a whole number of seconds from 1 to 3600");
                    }

                    break;
                default:
                    break;
            }
        }

        return (items.Count == 0 && errors.Count == 0 ? None : new VassalSubscriptions(items, frequency), errors);
    }

    /// <summary><c>[ADDRESS=]SERVER:KEY[,MODIFIER1]</c>; SERVER is HOST:PORT or a /path.</summary>
    public static bool ParseSubscribeTo(string value, out AnnouncedSubscription item, out string why)
    {
        item = null!;
        string? address = null;
        var rest = value;
        var equal = value.IndexOf('=', StringComparison.Ordinal);
        if (equal >= 0)
        {
            if (equal == 0)
            {
                why = "a shared socket by number (=N=) is not announced by the Emperor; write the node address instead (ADDRESS=SERVER:KEY)";
                return false;
            }

            address = value[..equal];
            rest = value[(equal + 1)..];
        }

        int keyAt;
        if (rest.StartsWith('/'))
        {
            keyAt = rest.IndexOf(':', 1);
        }
        else
        {
            // HOST:PORT:KEY; an IPv6 host is bracketed ([::1]:7000:KEY, ours: uWSGI 2.0 has no IPv6 form here).
            var close = rest.StartsWith('[') ? rest.IndexOf("]:", StringComparison.Ordinal) : -1;
            var port = close >= 0 ? close + 1 : rest.IndexOf(':', StringComparison.Ordinal);
            keyAt = port < 0 ? -1 : rest.IndexOf(':', port + 1);
        }

        if (keyAt <= 0 || keyAt == rest.Length - 1)
        {
            why = "expected SERVER:KEY, SERVER being HOST:PORT or a UNIX path";
            return false;
        }

        var server = rest[..keyAt];
        var key = rest[(keyAt + 1)..];
        var modifier1 = 0;
        if (key.StartsWith('@'))
        {
            why = "keys read from a file (SERVER:@FILE) are not announced by the Emperor; write one subscribe-to per key";
            return false;
        }

        var comma = key.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            var tail = key[(comma + 1)..];
            key = key[..comma];
            if (tail.Contains(',', StringComparison.Ordinal))
            {
                why = "signed subscriptions are not supported by the Emperor";
                return false;
            }

            if (!TryByte(tail, out modifier1))
            {
                why = $"modifier1 {tail}: expected a number from 0 to 255";
                return false;
            }
        }

        if (!CheckServer(server, out why) || !CheckKey(key, out why))
        {
            return false;
        }

        item = new AnnouncedSubscription(server, key, address, null, modifier1, 0, 1, null);
        why = string.Empty;
        return true;
    }

    /// <summary>uWSGI's key=value form; true with a null item when <c>check=FILE</c> exists (uWSGI then skips it).</summary>
    public static bool ParseSubscribe2(string value, Func<string, bool> fileExists, out AnnouncedSubscription? item, out string why)
    {
        item = null;
        string? server = null, key = null, addr = null, proto = null, check = null;
        int? socket = null;
        int weight = 1, modifier1 = 0, modifier2 = 0;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                why = $"'{part}' is not KEY=VALUE";
                return false;
            }

            var k = part[..eq];
            var v = part[(eq + 1)..];
            switch (k)
            {
                case "server":
                    server = v;
                    break;
                case "key":
                    key = v;
                    break;
                case "addr":
                    addr = v;
                    break;
                case "socket":
                    if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1000)
                    {
                        why = $"socket={v}: expected the number of one of the vassal's sockets, counted from 0";
                        return false;
                    }

                    socket = n;
                    break;
                case "weight":
                    if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight > 65535)
                    {
                        why = $"weight={v}: expected a number from 0 to 65535";
                        return false;
                    }

                    break;
                case "modifier1" or "modifier2":
                    if (!TryByte(v, out var m))
                    {
                        why = $"{k}={v}: expected a number from 0 to 255";
                        return false;
                    }

                    if (k == "modifier1")
                    {
                        modifier1 = m;
                    }
                    else
                    {
                        modifier2 = m;
                    }

                    break;
                case "proto":
                    if (v is not ("http" or "uwsgi"))
                    {
                        why = $"proto={v}: expected http or uwsgi";
                        return false;
                    }

                    proto = v;
                    break;
                case "check":
                    check = v;
                    break;
                case "sign" or "sni_key" or "sni_crt" or "sni_ca":
                    why = $"{k} is not supported by the Emperor (signed subscriptions and SNI)";
                    return false;
                default:
                    why = $"unknown key '{k}' (server, key, addr, socket, weight, modifier1, modifier2, check, proto)";
                    return false;
            }
        }

        if (server is null || key is null)
        {
            why = "server= and key= are both required";
            return false;
        }

        if (!CheckServer(server, out why) || !CheckKey(key, out why))
        {
            return false;
        }

        if (check is not null && fileExists(check))
        {
            why = string.Empty;
            return true;
        }

        item = new AnnouncedSubscription(server, key, addr, socket, modifier1, modifier2, weight, proto);
        why = string.Empty;
        return true;
    }

    /// <summary>The node address and protocol announced for <paramref name="item"/>, given the vassal's sockets.</summary>
    /// <returns>null with <paramref name="why"/> when there is nothing to announce.</returns>
    public static (string Address, string Proto)? NodeOf(AnnouncedSubscription item, IReadOnlyList<SocketSpec> sockets, string? onDemand, out string why)
    {
        why = string.Empty;
        SocketSpec? spec = null;
        if (item.SocketIndex is { } index)
        {
            if (index >= sockets.Count)
            {
                why = $"subscribe2 socket={index}: the vassal declares {sockets.Count} socket(s)";
                return null;
            }

            spec = sockets[index];
        }

        var address = item.Address ?? spec?.Address ?? onDemand ?? (sockets.Count > 0 ? sockets[0].Address : null);
        if (address is null)
        {
            why = $"subscription {item.Key} to {item.Server}: the vassal declares no socket to announce (add socket = ADDRESS, or ADDRESS= before the server)";
            return null;
        }

        spec ??= sockets.FirstOrDefault(s => s.Address == address);
        var proto = item.Proto ?? (spec?.Option == "http-socket" ? "http" : "uwsgi");
        return (address, proto);
    }

    private static bool CheckServer(string server, out string why)
    {
        if (!ServiceAddress.TryParse(server, out _, out var error))
        {
            why = $"subscription server {server}: {error}";
            return false;
        }

        why = string.Empty;
        return true;
    }

    private static bool CheckKey(string key, out string why)
    {
        why = string.Empty;
        if (key.Length is 0 or > 1024 || key.Any(c => c <= ' ' || c == 0x7F))
        {
            why = $"key '{key}': expected a hostname (optionally :port and /path), at most 1024 characters, no spaces";
            return false;
        }

        return true;
    }

    private static bool TryByte(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 255;
}
