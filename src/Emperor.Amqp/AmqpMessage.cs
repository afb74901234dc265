using System.Text;
using Emperor.Core.Vassals;

namespace Emperor.Amqp;

internal enum AmqpMessageKind
{
    /// <summary>Routing key NAME, body CONFIG: define or redefine NAME with that config (and reload it when it runs).</summary>
    Config,

    /// <summary>Routing key NAME, empty body: stop NAME.</summary>
    Stop,

    /// <summary>No routing key, body PATH: the file at PATH is the vassal (started or reloaded while it exists, else stopped).</summary>
    File,
}

/// <summary>
/// What one message on the <c>uwsgi.emperor</c> exchange means (spec §2.7, uWSGI's emperor_amqp). Pure.
/// </summary>
/// <remarks>
/// As uWSGI: with a routing key the key is the vassal name and the body its config (empty: stop); without one the body
/// is a path (under 255 bytes) to a config file, or an <c>http://</c> URL that is not checked. Unlike uWSGI, the name
/// must be a vassal name (a known suffix), since the suffix chooses how the vassal reads its config, and text must be
/// UTF-8; a message that fails either is refused with one line.
/// </remarks>
/// <param name="Kind">What the message asks for.</param>
/// <param name="Name">The vassal name: the routing key, or the path as sent.</param>
/// <param name="Config">The config, for <see cref="AmqpMessageKind.Config"/>.</param>
internal sealed record AmqpMessage(AmqpMessageKind Kind, string Name, string? Config)
{
    /// <summary>uWSGI ignores a path body of 255 bytes or more.</summary>
    public const int MaxPathBytes = 254;

    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static AmqpMessage? Parse(string? routingKey, ReadOnlySpan<byte> body, IReadOnlyList<string> extraExtensions, int maxConfigBytes, out string? error)
    {
        // The reason quotes what the publisher sent: one line, whatever it holds (found by fuzzing, issue #17).
        var message = ParseQuoting(routingKey, body, extraExtensions, maxConfigBytes, out error);
        error = error is null ? null : Core.Config.OneLineText.Escape(error);
        return message;
    }

    private static AmqpMessage? ParseQuoting(string? routingKey, ReadOnlySpan<byte> body, IReadOnlyList<string> extraExtensions, int maxConfigBytes, out string? error)
    {
        error = null;
        if (!string.IsNullOrEmpty(routingKey))
        {
            if (!VassalFormat.IsVassalName(routingKey, extraExtensions) || routingKey.Contains('/', StringComparison.Ordinal))
            {
                error = $"routing key \"{Shorten(routingKey)}\": not a vassal name (a name without '/' ending in .ini, .xml, .yml, .yaml, .js, .json or an --emperor-extra-extension)";
                return null;
            }

            if (body.Length == 0)
            {
                return new AmqpMessage(AmqpMessageKind.Stop, routingKey, null);
            }

            if (body.Length > maxConfigBytes)
            {
                error = $"routing key \"{routingKey}\": a config of {body.Length} bytes, above the limit of {maxConfigBytes}";
                return null;
            }

            var config = Text(body);
            return config is null
                ? Refuse($"routing key \"{routingKey}\": the config is not UTF-8", out error)
                : new AmqpMessage(AmqpMessageKind.Config, routingKey, config);
        }

        if (body.Length == 0 || body.Length > MaxPathBytes)
        {
            error = body.Length == 0
                ? "a message with neither routing key nor body"
                : $"a message without routing key whose body ({body.Length} bytes) is too long for a config path (under 255 bytes)";
            return null;
        }

        var path = Text(body);
        if (path is null || path.Contains('\0', StringComparison.Ordinal))
        {
            return Refuse("a config path that is not UTF-8 text", out error);
        }

        if (!VassalFormat.IsVassalName(path, extraExtensions))
        {
            return Refuse($"\"{Shorten(path)}\": not a vassal file name (it must end in .ini, .xml, .yml, .yaml, .js, .json or an --emperor-extra-extension)", out error);
        }

        return new AmqpMessage(AmqpMessageKind.File, path, null);
    }

    /// <summary>uWSGI passes <c>http://</c> names to the vassal without looking for a file.</summary>
    public bool IsUrl => Kind == AmqpMessageKind.File && Name.StartsWith("http://", StringComparison.Ordinal);

    private static AmqpMessage? Refuse(string why, out string? error)
    {
        error = why;
        return null;
    }

    private static string? Text(ReadOnlySpan<byte> bytes)
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

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
