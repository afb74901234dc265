using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Emperor.Core.Subscriptions;

/// <summary>
/// The uWSGI 2.0 subscription packet (spec §17, uWSGI core/subscription.c): a uwsgi header (modifier1
/// <see cref="Modifier1"/>, 16-bit little-endian body size, modifier2 0 = subscribe, else unsubscribe) and a body
/// of <c>u16le length, bytes</c> key/value pairs, numbers in decimal ASCII. A datagram is at most
/// <see cref="MaxPacket"/> bytes (the size uWSGI's routers read). The decoder never throws: it sees whatever
/// arrives on a UDP port. Encoder and decoder live together so they cannot disagree.
/// </summary>
internal static class SubscriptionCodec
{
    public const byte Modifier1 = 224;
    public const int HeaderSize = Protocol.UwsgiHeader.Length;
    public const int MaxPacket = 4096;

    private static readonly string[] s_numberKeys = ["modifier1", "modifier2", "cores", "load", "weight"];

    /// <summary>Decodes one datagram; on failure returns null and a one-line reason in <paramref name="error"/>.</summary>
    public static SubscriptionPacket? Decode(ReadOnlySpan<byte> datagram, out string error)
    {
        if (datagram.Length > MaxPacket)
        {
            error = $"oversized packet ({datagram.Length} bytes, at most {MaxPacket})";
            return null;
        }

        if (!Protocol.UwsgiHeader.TryRead(datagram, out var header))
        {
            error = $"truncated header ({datagram.Length} bytes)";
            return null;
        }

        if (header.Modifier1 != Modifier1)
        {
            error = $"modifier1 {header.Modifier1} is not a subscription ({Modifier1})";
            return null;
        }

        int size = header.Size;
        var body = datagram[HeaderSize..];
        if (size != body.Length)
        {
            error = size > body.Length
                ? $"truncated body ({body.Length} of {size} bytes)"
                : $"{body.Length - size} bytes after the {size}-byte body";
            return null;
        }

        var command = header.Modifier2 == 0 ? SubscriptionCommand.Subscribe : SubscriptionCommand.Unsubscribe;
        string? key = null, address = null;
        var numbers = new int[s_numberKeys.Length];
        numbers[4] = 1;
        var extra = new List<KeyValuePair<string, string>>();
        while (!body.IsEmpty)
        {
            if (!TryReadString(ref body, out var name, out error) || !TryReadString(ref body, out var value, out error))
            {
                return null;
            }

            var number = Array.IndexOf(s_numberKeys, name);
            if (name == "key")
            {
                key = value;
            }
            else if (name == "address")
            {
                address = value;
            }
            else if (number >= 0)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[number]))
                {
                    error = $"{name} '{Printable(value)}' is not a decimal number";
                    return null;
                }
            }
            else
            {
                extra.Add(new(name, value));
            }
        }

        if (string.IsNullOrEmpty(key))
        {
            error = "no key";
            return null;
        }

        if (string.IsNullOrEmpty(address))
        {
            error = $"no address for key '{Printable(key)}'";
            return null;
        }

        error = "";
        return new SubscriptionPacket(command, key, address, numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        {
            Extra = extra,
        };
    }

    /// <summary>
    /// Encodes an announce as uWSGI 2.0 vassals send it. Throws <see cref="ArgumentException"/> when it would not fit
    /// in <see cref="MaxPacket"/> bytes: the caller built it from config and must reject that config first.
    /// </summary>
    public static byte[] Encode(SubscriptionPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("key", packet.Key),
            new("address", packet.Address),
            new("modifier1", Number(packet.Modifier1)),
            new("modifier2", Number(packet.Modifier2)),
            new("cores", Number(packet.Cores)),
            new("load", Number(packet.Load)),
            new("weight", Number(packet.Weight)),
        };
        pairs.AddRange(packet.Extra);
        var size = 0;
        foreach (var (name, value) in pairs)
        {
            size += 4 + Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        }

        if (HeaderSize + size > MaxPacket)
        {
            throw new ArgumentException($"subscription for '{packet.Key}' needs {HeaderSize + size} bytes, at most {MaxPacket}", nameof(packet));
        }

        var frame = new byte[HeaderSize + size];
        new Protocol.UwsgiHeader(Modifier1, (ushort)size, packet.Command == SubscriptionCommand.Subscribe ? (byte)0 : (byte)1).Write(frame);
        var at = HeaderSize;
        foreach (var (name, value) in pairs)
        {
            at = Write(frame, at, name);
            at = Write(frame, at, value);
        }

        return frame;
    }

    /// <summary>Numbers must be non-negative: uWSGI prints them unsigned and our decoder reads no sign.</summary>
    private static string Number(int value) =>
        value >= 0 ? value.ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(value), value, "subscription numbers are non-negative");

    private static int Write(byte[] frame, int at, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, frame.AsSpan(at + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(at), (ushort)length);
        return at + 2 + length;
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> body, out string text, out string error)
    {
        text = "";
        if (body.Length < 2)
        {
            error = "truncated length field";
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(body);
        if (body.Length - 2 < length)
        {
            error = $"field of {length} bytes overruns the body ({body.Length - 2} left)";
            return false;
        }

        var bytes = body.Slice(2, length);
        if (!Utf8.IsValid(bytes))
        {
            error = "field is not UTF-8";
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        body = body[(2 + length)..];
        error = "";
        return true;
    }

    /// <summary>A value fit for one log line: control characters shown as '?', and short.</summary>
    internal static string Printable(string value)
    {
        var chars = value.Length > 80 ? value[..80].ToCharArray() : value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
