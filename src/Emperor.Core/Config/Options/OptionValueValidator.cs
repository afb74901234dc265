using System.Globalization;

namespace Emperor.Core.Config.Options;

/// <summary>
/// Checks one option value against its <see cref="OptionValueKind"/>: the one line a bad value gets names the
/// option, the value and what would be valid. Pure: whether a directory exists is asked through a delegate.
/// </summary>
internal static class OptionValueValidator
{
    /// <summary>Timers take at most uint.MaxValue - 1 ms; larger periods would throw deep in the loop.</summary>
    public const long MaxSeconds = 4_294_967;

    public const long MaxMilliseconds = 4_294_967_294;

    /// <summary>The error line for <paramref name="value"/> of option <paramref name="name"/>, or null when it is valid.</summary>
    public static string? Check(EmperorOptionSpec spec, string name, string value, Func<string, bool>? directoryExists = null)
    {
        var reason = Reason(spec.Kind, value, directoryExists);
        return reason is null ? null : $"option --{name} \"{value}\": {reason}";
    }

    /// <summary>Why <paramref name="value"/> is not a valid <paramref name="kind"/>, or null when it is.</summary>
    public static string? Reason(OptionValueKind kind, string value, Func<string, bool>? directoryExists = null)
    {
        switch (kind)
        {
            case OptionValueKind.Flag:
                return null;
            case OptionValueKind.Seconds:
                return Whole(value, 1, MaxSeconds, "seconds");
            case OptionValueKind.SecondsOrZero:
                return Whole(value, 0, MaxSeconds, "seconds (0 disables)");
            case OptionValueKind.Milliseconds:
                return Whole(value, 0, MaxMilliseconds, "milliseconds");
            case OptionValueKind.Number:
                return Whole(value, 0, int.MaxValue, "");
            case OptionValueKind.Bytes:
                return Whole(value, 1, long.MaxValue / 2, "bytes");
            case OptionValueKind.LogFormat:
                return value is "text" or "json" ? null : "valid: text or json";
            case OptionValueKind.Address:
                return Address(value, directoryExists);
            case OptionValueKind.UnixSocket:
                if (value == "none")
                {
                    return null;
                }

                if (value.Contains(':', StringComparison.Ordinal))
                {
                    return "the command socket is a UNIX socket: a path, @abstract-name, or none";
                }

                return Address(value, directoryExists);
            case OptionValueKind.Name:
                return value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && value[0] != '.'
                    ? null
                    : "valid: 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.')";
            case OptionValueKind.Mode:
                return value.Length is >= 3 and <= 4 && value.All(c => c is >= '0' and <= '7') ? null : "valid: an octal mode such as 660 or 0660";
            case OptionValueKind.User or OptionValueKind.Group:
                return value.Length > 0 && !value.Contains(':', StringComparison.Ordinal) && !value.Any(char.IsWhiteSpace)
                    ? null
                    : $"valid: a {(kind == OptionValueKind.User ? "user" : "group")} name or a numeric id";
            default:
                // Source, Path, Text: any non-empty value; their meaning is checked where they are used.
                return value.Length > 0 && !value.Contains('\0', StringComparison.Ordinal) ? null : "the value is empty";
        }
    }

    private static string? Whole(string value, long min, long max, string unit)
    {
        var what = unit.Length == 0 ? "" : " " + unit;
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : $"valid: a whole number of{what} from {min} to {max}, digits only (e.g. {Math.Max(min, 3)})";
    }

    private static string? Address(string value, Func<string, bool>? directoryExists)
    {
        if (!ServiceAddress.TryParse(value, out var address, out var error))
        {
            return error;
        }

        if (address.Kind == ServiceAddressKind.UnixPath && directoryExists is not null)
        {
            var slash = value.LastIndexOf('/');
            var directory = slash < 0 ? "." : slash == 0 ? "/" : value[..slash];
            if (!directoryExists(directory))
            {
                return $"the directory {directory} does not exist (a UNIX socket path needs an existing directory)";
            }
        }

        return null;
    }
}
