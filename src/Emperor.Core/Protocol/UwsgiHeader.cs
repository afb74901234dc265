using System.Buffers.Binary;

namespace Emperor.Core.Protocol;

/// <summary>
/// The 4-byte header of every uwsgi packet (uWSGI's <c>struct uwsgi_header</c>): modifier1, a 16-bit little-endian
/// body size, modifier2. Config frames (<see cref="ConfigFrame"/>) and subscription packets write and read it here.
/// </summary>
internal readonly record struct UwsgiHeader(byte Modifier1, ushort Size, byte Modifier2)
{
    public const int Length = 4;

    public void Write(Span<byte> destination)
    {
        destination[0] = Modifier1;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], Size);
        destination[3] = Modifier2;
    }

    /// <summary>False when fewer than <see cref="Length"/> bytes are given.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out UwsgiHeader header)
    {
        if (source.Length < Length)
        {
            header = default;
            return false;
        }

        header = new UwsgiHeader(source[0], BinaryPrimitives.ReadUInt16LittleEndian(source[1..]), source[3]);
        return true;
    }
}
