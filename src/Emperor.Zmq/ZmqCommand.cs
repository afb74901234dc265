using System.Globalization;
using System.Text;
using Emperor.Core.Vassals;

namespace Emperor.Zmq;

internal enum ZmqCommandKind
{
    /// <summary>Define or redefine a vassal (and reload it when it runs).</summary>
    Touch,

    /// <summary>Stop the vassal and forget it.</summary>
    Destroy,
}

/// <summary>
/// One multipart message of uWSGI's emperor_zeromq (spec §2.8): <c>command</c>, <c>name</c>, then optionally
/// <c>config</c>, <c>uid</c>, <c>gid</c> and <c>socket</c>. Pure.
/// </summary>
/// <remarks>
/// Where uWSGI misreads, the intended meaning is taken and the difference documented (docs/monitors.md): a 5-part
/// message has no socket part (uWSGI invents an empty one and never starts the vassal); parts after the sixth are
/// ignored (uWSGI reads them as the next message); uid and gid must be decimal numbers (uWSGI computes garbage from
/// other characters); the name must be a vassal name (uWSGI ignores such a touch silently).
/// </remarks>
/// <param name="Kind">touch or destroy.</param>
/// <param name="Name">The vassal name.</param>
/// <param name="Config">The inline config, or null: the name is a file in the Emperor's directory.</param>
/// <param name="Uid">Owner for tyrant mode (0 when absent, as uWSGI).</param>
/// <param name="Gid">Group for tyrant mode (0 when absent).</param>
/// <param name="Socket">The on-demand socket part, or null (not supported: the caller says so).</param>
internal sealed record ZmqCommand(ZmqCommandKind Kind, string Name, string? Config, int Uid, int Gid, string? Socket)
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a message; null and the reason when it is not a command this monitor can carry out.</summary>
    public static ZmqCommand? Parse(IReadOnlyList<byte[]> parts, IReadOnlyList<string> extraExtensions, out string? error)
    {
        // The reason quotes what the peer sent: one line, whatever it holds (found by fuzzing, issue #17).
        var command = ParseQuoting(parts, extraExtensions, out error);
        error = error is null ? null : Core.Config.OneLineText.Escape(error);
        return command;
    }

    private static ZmqCommand? ParseQuoting(IReadOnlyList<byte[]> parts, IReadOnlyList<string> extraExtensions, out string? error)
    {
        error = null;
        if (parts.Count < 2)
        {
            error = "bad message received (command and instance name required)";
            return null;
        }

        var command = Text(parts[0]);
        var kind = command switch
        {
            "touch" => ZmqCommandKind.Touch,
            "destroy" => ZmqCommandKind.Destroy,
            _ => (ZmqCommandKind?)null,
        };
        if (kind is null)
        {
            error = $"unknown command \"{Shorten(command ?? "(not UTF-8)")}\"";
            return null;
        }

        var name = Text(parts[1]);
        if (name is null || name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || name.Split('/').Contains(".."))
        {
            error = $"{command}: the instance name is empty, not UTF-8, or climbs out of the Emperor's directory";
            return null;
        }

        if (kind == ZmqCommandKind.Destroy)
        {
            return new ZmqCommand(ZmqCommandKind.Destroy, name, null, 0, 0, null);
        }

        if (!VassalFormat.IsVassalName(name, extraExtensions))
        {
            error = $"touch \"{Shorten(name)}\": not a vassal name (it must end in .ini, .xml, .yml, .yaml, .js, .json or an --emperor-extra-extension, and be shorter than 255 bytes)";
            return null;
        }

        string? config = null;
        if (parts.Count > 2 && parts[2].Length > 0)
        {
            config = Text(parts[2]);
            if (config is null)
            {
                error = $"touch \"{name}\": the config part is not UTF-8";
                return null;
            }
        }

        var uid = parts.Count > 3 ? Number(parts[3]) : 0;
        var gid = parts.Count > 4 ? Number(parts[4]) : 0;
        if (uid is null || gid is null)
        {
            error = $"touch \"{name}\": the uid and gid parts must be decimal numbers";
            return null;
        }

        var socket = parts.Count > 5 && parts[5].Length > 0 ? Text(parts[5]) ?? "(not UTF-8)" : null;
        return new ZmqCommand(ZmqCommandKind.Touch, name, config, uid.Value, gid.Value, socket);
    }

    private static string? Text(byte[] bytes)
    {
        try
        {
            return s_strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>An empty part is 0 (as uWSGI); otherwise only ASCII digits, within an int.</summary>
    private static int? Number(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return 0;
        }

        return bytes.All(b => b is >= (byte)'0' and <= (byte)'9')
            && int.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
