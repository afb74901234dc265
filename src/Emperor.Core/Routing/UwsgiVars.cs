using System.Buffers.Binary;
using System.Text;

namespace Emperor.Core.Routing;

/// <summary>
/// The vars block of a uwsgi request packet (modifier1 0, WSGI-style CGI variables): <c>u16le key length, key,
/// u16le value length, value</c>, repeated; the whole block at most 65535 bytes. Pure; the decoder never throws.
/// </summary>
internal static class UwsgiVars
{
    public const int MaxBlock = ushort.MaxValue;

    /// <summary>The vars in order, or null with the reason when a field overruns the block or is not UTF-8.</summary>
    public static List<KeyValuePair<string, string>>? Decode(ReadOnlySpan<byte> block, out string error)
    {
        var result = new List<KeyValuePair<string, string>>();
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var i = 0;
        while (i < block.Length)
        {
            if (!TryField(block, ref i, out var key) || !TryField(block, ref i, out var value))
            {
                error = $"a var overruns the {block.Length}-byte vars block at offset {i}";
                return null;
            }

            try
            {
                result.Add(new(utf8.GetString(key), utf8.GetString(value)));
            }
            catch (DecoderFallbackException)
            {
                error = "a var is not UTF-8";
                return null;
            }
        }

        error = string.Empty;
        return result;
    }

    /// <summary>
    /// The routing vars of a block without decoding the rest (the fastrouter forwards the block as it came): HTTP_HOST
    /// (else SERVER_NAME), PATH_INFO and CONTENT_LENGTH; false with the reason when a field overruns the block or a
    /// routing var is not UTF-8. The first occurrence of each wins.
    /// </summary>
    public static bool TryRoutingVars(ReadOnlySpan<byte> block, out string host, out string path, out long contentLength, out string error)
    {
        host = string.Empty;
        path = "/";
        contentLength = 0;
        string? serverName = null;
        bool seenHost = false, seenPath = false, seenLength = false;
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var i = 0;
        try
        {
            while (i < block.Length)
            {
                if (!TryField(block, ref i, out var key) || !TryField(block, ref i, out var value))
                {
                    error = $"a var overruns the {block.Length}-byte vars block at offset {i}";
                    return false;
                }

                if (!seenHost && key.SequenceEqual("HTTP_HOST"u8))
                {
                    host = utf8.GetString(value);
                    seenHost = true;
                }
                else if (serverName is null && key.SequenceEqual("SERVER_NAME"u8))
                {
                    serverName = utf8.GetString(value);
                }
                else if (!seenPath && key.SequenceEqual("PATH_INFO"u8))
                {
                    path = utf8.GetString(value);
                    seenPath = true;
                }
                else if (!seenLength && key.SequenceEqual("CONTENT_LENGTH"u8))
                {
                    seenLength = true;
                    contentLength = System.Buffers.Text.Utf8Parser.TryParse(value, out long n, out var used) && used == value.Length && n > 0 ? n : 0;
                }
            }
        }
        catch (DecoderFallbackException)
        {
            error = "a routing var is not UTF-8";
            return false;
        }

        if (!seenHost)
        {
            host = serverName ?? string.Empty;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>The block for <paramref name="vars"/>, or null when it would exceed 65535 bytes.</summary>
    public static byte[]? Encode(IReadOnlyList<KeyValuePair<string, string>> vars)
    {
        var size = 0;
        foreach (var (k, v) in vars)
        {
            size += 4 + Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(v);
        }

        if (size > MaxBlock)
        {
            return null;
        }

        var block = new byte[size];
        var at = 0;
        foreach (var (k, v) in vars)
        {
            at = Put(block, at, k);
            at = Put(block, at, v);
        }

        return block;
    }

    private static int Put(byte[] block, int at, string text)
    {
        var n = Encoding.UTF8.GetBytes(text, block.AsSpan(at + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(at), (ushort)n);
        return at + 2 + n;
    }

    private static bool TryField(ReadOnlySpan<byte> block, ref int i, out ReadOnlySpan<byte> field)
    {
        field = default;
        if (i + 2 > block.Length)
        {
            return false;
        }

        var n = BinaryPrimitives.ReadUInt16LittleEndian(block[i..]);
        if (i + 2 + n > block.Length)
        {
            return false;
        }

        field = block.Slice(i + 2, n);
        i += 2 + n;
        return true;
    }
}
