using System.Buffers.Binary;

namespace Emperor.Core.Protocol;

/// <summary>
/// A config pushed over <c>UWSGI_EMPEROR_FD_CONFIG</c> (spec §7.3): a uwsgi packet header (modifier1
/// <see cref="Modifier1"/>, 16-bit little-endian size, modifier2 0) and the bytes. The 16-bit size cannot say more
/// than 65535 bytes and uWSGI silently truncates there; a larger config is sent with size 0xFFFF in the header
/// followed by a 32-bit little-endian size (modifier2 <see cref="ExtendedModifier2"/> marks this form). Our vassal
/// role reads both forms; the encoder and the decoder live here together so they cannot disagree.
/// </summary>
internal static class ConfigFrame
{
    /// <summary>uWSGI's modifier1 for a config pushed by the Emperor.</summary>
    public const byte Modifier1 = 115;

    /// <summary>modifier2 of our extended form (a 32-bit size follows the header).</summary>
    public const byte ExtendedModifier2 = 1;

    /// <summary>The basic header.</summary>
    public const int HeaderSize = UwsgiHeader.Length;

    /// <summary>The largest config a decoder accepts.</summary>
    public const int MaxConfig = 16 * 1024 * 1024;

    private const ushort Extended = 0xFFFF;

    public static byte[] Encode(ReadOnlySpan<byte> config)
    {
        if (config.Length < Extended)
        {
            var frame = new byte[HeaderSize + config.Length];
            new UwsgiHeader(Modifier1, (ushort)config.Length, 0).Write(frame);
            config.CopyTo(frame.AsSpan(HeaderSize));
            return frame;
        }

        var big = new byte[HeaderSize + 4 + config.Length];
        new UwsgiHeader(Modifier1, Extended, ExtendedModifier2).Write(big);
        BinaryPrimitives.WriteUInt32LittleEndian(big.AsSpan(HeaderSize), (uint)config.Length);
        config.CopyTo(big.AsSpan(HeaderSize + 4));
        return big;
    }

    /// <summary>
    /// Reads a header. Returns the number of header bytes still needed beyond the 4 of <paramref name="header"/>
    /// through <paramref name="extendedSizeFollows"/> (the 32-bit size of the extended form), or an error.
    /// </summary>
    public static string? TryReadHeader(ReadOnlySpan<byte> header, out int size, out bool extendedSizeFollows)
    {
        size = 0;
        extendedSizeFollows = false;
        if (!UwsgiHeader.TryRead(header, out var h))
        {
            return "the config frame header is truncated";
        }

        if (h.Modifier1 != Modifier1)
        {
            return $"the config link sent a frame with modifier1 {h.Modifier1} (expected {Modifier1})";
        }

        size = h.Size;
        extendedSizeFollows = size == Extended && h.Modifier2 == ExtendedModifier2;
        return null;
    }

    /// <summary>Reads the 32-bit size of the extended form.</summary>
    public static string? TryReadExtendedSize(ReadOnlySpan<byte> sizeBytes, out int size)
    {
        size = 0;
        if (sizeBytes.Length < 4)
        {
            return "the extended config size is truncated";
        }

        var big = BinaryPrimitives.ReadUInt32LittleEndian(sizeBytes);
        if (big > MaxConfig)
        {
            return $"the pushed config is {big} bytes; the limit is {MaxConfig}";
        }

        size = (int)big;
        return null;
    }

    /// <summary>Decodes one whole frame from a buffer (tests, fuzzing). Null with an error when it is not one.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<byte> frame, out string? error)
    {
        error = TryReadHeader(frame, out var size, out var extended);
        if (error is not null)
        {
            return null;
        }

        var offset = HeaderSize;
        if (extended)
        {
            error = TryReadExtendedSize(frame[HeaderSize..], out size);
            if (error is not null)
            {
                return null;
            }

            offset += 4;
        }

        if (size == 0)
        {
            error = "the Emperor pushed an empty config";
            return null;
        }

        if (frame.Length - offset < size)
        {
            error = "the config link closed before the whole config arrived";
            return null;
        }

        return frame.Slice(offset, size).ToArray();
    }
}
