using System.Globalization;
using System.Text;
using Emperor.Core.Abstractions;

namespace Emperor.Core.VassalRole;

/// <summary>
/// How the Emperor tells its vassal role which sockets it already holds: <c>EMPEROR_HELD_SOCKETS</c> is one line per
/// socket, <c>FD ADDRESS</c> (the address exactly as the config writes it), and <c>EMPEROR_ON_DEMAND_FD</c> names
/// the on-demand socket. The vassal role uses a held fd for the socket line with that address instead of binding it,
/// and removes both variables before it execs the app. Pure.
/// </summary>
internal static class HeldSocketVariables
{
    public const string Held = "EMPEROR_HELD_SOCKETS";

    public const string OnDemand = "EMPEROR_ON_DEMAND_FD";

    public static string Encode(IReadOnlyList<PassedSocket> sockets)
    {
        var text = new StringBuilder();
        foreach (var s in sockets)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(s.Fd.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(s.Address);
        }

        return text.ToString();
    }

    /// <summary>Address → fd; malformed lines are skipped (the vassal role then binds that socket itself).</summary>
    public static Dictionary<string, int> Decode(string? value)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(value))
        {
            return result;
        }

        foreach (var line in value.Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && int.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && fd > 2)
            {
                result.TryAdd(line[(space + 1)..], fd);
            }
        }

        return result;
    }
}
