using System.Buffers.Binary;

namespace Emperor.Unix.Processes;

/// <summary>
/// A config pushed over <c>UWSGI_EMPEROR_FD_CONFIG</c> (spec §7.3): a uwsgi packet header (modifier1 115,
/// 16-bit little-endian size, modifier2 0) and the bytes. The 16-bit size cannot say more than 65535 bytes;
/// uWSGI silently truncates there. A larger config is sent with size 0xFFFF in the header followed by a
/// 32-bit little-endian size (modifier2 1 marks this extended form); our vassal role reads both forms.
/// </summary>
internal static class ConfigFrame
{
    public const byte Modifier1 = 115;

    public static byte[] Build(byte[] config)
    {
        if (config.Length < 0xFFFF)
        {
            var frame = new byte[4 + config.Length];
            frame[0] = Modifier1;
            BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(1), (ushort)config.Length);
            frame[3] = 0;
            config.CopyTo(frame, 4);
            return frame;
        }

        var big = new byte[8 + config.Length];
        big[0] = Modifier1;
        BinaryPrimitives.WriteUInt16LittleEndian(big.AsSpan(1), 0xFFFF);
        big[3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(big.AsSpan(4), (uint)config.Length);
        config.CopyTo(big, 8);
        return big;
    }
}
