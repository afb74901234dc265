using System.Buffers.Binary;
using System.Text;

namespace Emperor.Zmq;

/// <summary>A peer broke ZMTP; the connection is closed. The message quotes the peer's bytes, so it is made one line
/// (a peer could otherwise write lines of its choosing into the Emperor's log; found by fuzzing, issue #17).</summary>
internal sealed class ZmtpException(string message) : Exception(Core.Config.OneLineText.Escape(message));

/// <summary>
/// The receiving side of one ZMTP 3 connection (RFC 23/ZMTP, the wire protocol of libzmq 4 and NetMQ 4) as a PULL
/// socket needs it: the greeting, the NULL mechanism's READY handshake (our Socket-Type PULL, the peer's must be PUSH),
/// then whole multipart messages. A PING command is answered with PONG; other commands are ignored. Nothing is ever
/// sent to the peer but the greeting, READY and PONG: a PULL socket has no outgoing messages.
/// </summary>
/// <remarks>
/// A frame's size is checked against <paramref name="maxMessageBytes"/> before anything is allocated, so a peer that
/// announces a huge frame costs nothing but its connection. ZMTP 1.0 and 2.0 peers (libzmq 2 and 3) are refused with
/// a reason: they cannot be told apart from garbage reliably, and no maintained ZeroMQ speaks them by default.
/// </remarks>
internal sealed class ZmtpSession(Stream stream, int maxMessageBytes)
{
    private const byte FlagMore = 0x01;
    private const byte FlagLong = 0x02;
    private const byte FlagCommand = 0x04;
    private readonly byte[] _header = new byte[9];

    /// <summary>What the peer said it is, after the handshake (for log lines).</summary>
    public string PeerVersion { get; private set; } = "?";

    /// <summary>Our greeting: signature, version 3.0, mechanism NULL, not as-server.</summary>
    public static byte[] Greeting()
    {
        var g = new byte[64];
        g[0] = 0xFF;
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = 0;
        Encoding.ASCII.GetBytes("NULL").CopyTo(g, 12);
        return g;
    }

    /// <summary>The READY command of a socket of type <paramref name="socketType"/>, as one short command frame.</summary>
    public static byte[] Ready(string socketType)
    {
        var body = new List<byte> { 5 };
        body.AddRange("READY"u8.ToArray());
        body.Add((byte)"Socket-Type".Length);
        body.AddRange("Socket-Type"u8.ToArray());
        var value = Encoding.ASCII.GetBytes(socketType);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        body.AddRange(length);
        body.AddRange(value);
        return [FlagCommand, (byte)body.Count, .. body];
    }

    /// <summary>Greets, handshakes and checks the peer is a PUSH socket; throws <see cref="ZmtpException"/> otherwise.</summary>
    public async Task HandshakeAsync(CancellationToken ct)
    {
        await stream.WriteAsync(Greeting(), ct);
        var greeting = new byte[64];
        await ReadExactlyAsync(greeting.AsMemory(0, 10), ct);
        if (greeting[0] != 0xFF || (greeting[9] & 0x01) == 0)
        {
            throw new ZmtpException("not a ZMTP 3 peer (no ZeroMQ greeting: an old libzmq 2/3, or not ZeroMQ at all)");
        }

        await ReadExactlyAsync(greeting.AsMemory(10, 54), ct);
        PeerVersion = $"ZMTP {greeting[10]}.{greeting[11]}";
        if (greeting[10] < 3)
        {
            throw new ZmtpException($"the peer speaks {PeerVersion}; ZMTP 3 (libzmq 4, NetMQ 4, pyzmq) is needed");
        }

        var mechanism = Encoding.ASCII.GetString(greeting, 12, 20).TrimEnd('\0');
        if (mechanism != "NULL")
        {
            throw new ZmtpException($"the peer asks for the {mechanism} security mechanism; only NULL is offered");
        }

        await stream.WriteAsync(Ready("PULL"), ct);
        var (flags, body) = await ReadFrameAsync(ct) ?? throw new ZmtpException("the peer closed during the handshake");
        if ((flags & FlagCommand) == 0)
        {
            throw new ZmtpException("the peer sent a message before READY");
        }

        var (name, rest) = CommandName(body);
        if (name == "ERROR")
        {
            throw new ZmtpException("the peer refused the handshake: " + Encoding.UTF8.GetString(rest.Length > 0 ? rest[1..] : rest));
        }

        if (name != "READY")
        {
            throw new ZmtpException($"the peer sent {name} instead of READY");
        }

        var type = Property(rest, "Socket-Type");
        if (type != "PUSH")
        {
            throw new ZmtpException($"a {type ?? "(typeless)"} socket connected; only PUSH sockets can send to the Emperor's PULL socket");
        }
    }

    /// <summary>The next whole message; null when the peer closed cleanly between messages.</summary>
    public async Task<List<byte[]>?> ReadMessageAsync(CancellationToken ct)
    {
        var parts = new List<byte[]>();
        var total = 0L;
        while (true)
        {
            var frame = await ReadFrameAsync(ct);
            if (frame is not { } f)
            {
                return parts.Count == 0 ? null : throw new ZmtpException("the peer closed in the middle of a message");
            }

            if ((f.Flags & FlagCommand) != 0)
            {
                await CommandAsync(f.Body, ct);
                continue;
            }

            total += f.Body.Length;
            if (total > maxMessageBytes)
            {
                throw new ZmtpException($"a message above {maxMessageBytes} bytes");
            }

            parts.Add(f.Body);
            if ((f.Flags & FlagMore) == 0)
            {
                return parts;
            }
        }
    }

    private async Task CommandAsync(byte[] body, CancellationToken ct)
    {
        var (name, rest) = CommandName(body);
        if (name == "PING" && rest.Length >= 2)
        {
            // PONG carries the PING's context back (ZMTP 3.1 heartbeats).
            var context = rest[2..Math.Min(rest.Length, 2 + 16)];
            byte[] pong = [FlagCommand, (byte)(5 + context.Length), 4, .. "PONG"u8, .. context];
            await stream.WriteAsync(pong, ct);
        }
    }

    private async Task<(byte Flags, byte[] Body)?> ReadFrameAsync(CancellationToken ct)
    {
        if (await stream.ReadAsync(_header.AsMemory(0, 1), ct) == 0)
        {
            return null;
        }

        var flags = _header[0];
        if ((flags & 0xF8) != 0)
        {
            throw new ZmtpException($"a frame with reserved flag bits set (0x{flags:x2})");
        }

        long size;
        if ((flags & FlagLong) != 0)
        {
            await ReadExactlyAsync(_header.AsMemory(1, 8), ct);
            var wide = BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(1, 8));
            size = wide > (ulong)maxMessageBytes ? long.MaxValue : (long)wide;
        }
        else
        {
            await ReadExactlyAsync(_header.AsMemory(1, 1), ct);
            size = _header[1];
        }

        if (size > maxMessageBytes)
        {
            throw new ZmtpException($"a frame above {maxMessageBytes} bytes");
        }

        var body = new byte[size];
        await ReadExactlyAsync(body, ct);
        return (flags, body);
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, ct);
        }
        catch (EndOfStreamException)
        {
            throw new ZmtpException("the peer closed in the middle of a frame");
        }
    }

    private static (string Name, byte[] Body) CommandName(byte[] body)
    {
        if (body.Length == 0 || body[0] + 1 > body.Length)
        {
            throw new ZmtpException("a malformed command frame");
        }

        return (Encoding.ASCII.GetString(body, 1, body[0]), body[(1 + body[0])..]);
    }

    /// <summary>A metadata property (names compare case-insensitively, RFC 23); null when absent.</summary>
    private static string? Property(byte[] metadata, string wanted)
    {
        var i = 0;
        while (i < metadata.Length)
        {
            var nameLength = metadata[i];
            if (i + 1 + nameLength + 4 > metadata.Length)
            {
                throw new ZmtpException("malformed READY metadata");
            }

            var name = Encoding.ASCII.GetString(metadata, i + 1, nameLength);
            i += 1 + nameLength;
            var valueLength = BinaryPrimitives.ReadUInt32BigEndian(metadata.AsSpan(i, 4));
            i += 4;
            if (valueLength > (uint)(metadata.Length - i))
            {
                throw new ZmtpException("malformed READY metadata");
            }

            if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return Encoding.ASCII.GetString(metadata, i, (int)valueLength);
            }

            i += (int)valueLength;
        }

        return null;
    }
}
