using System.Buffers.Binary;
using System.Text;
using Emperor.Fuzz.Tests.Harness;
using Emperor.Zmq;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// What a ZeroMQ peer sends the zmq:// monitor's PULL socket, as one byte stream: the ZMTP 3 greeting and handshake,
/// then messages, each read as an emperor command. Never throws anything but <see cref="ZmtpException"/> (the
/// connection is then closed with one line), never allocates beyond the message bound, and always ends.
/// </summary>
internal sealed class ZmtpTarget : IFuzzTarget
{
    private const int MaxMessage = 64 * 1024;

    public string Name => "zmtp";

    public IEnumerable<byte[]> Seeds =>
    [
        [.. Greeting(), .. Ready("PUSH"), .. Message("touch", "app.ini", "[uwsgi]\nsocket = :3031\n")],
        [.. Greeting(), .. Ready("PUSH"), .. Message("destroy", "app.ini"), .. Frame(0x04, [4, .. "PING"u8, 0, 1, 7])],
        [.. Greeting(), .. Ready("PUB")],
        [.. Greeting()[..11]],
    ];

    public IReadOnlyList<string> Dictionary => ["NULL", "READY", "PING", "ERROR", "Socket-Type", "PUSH", "touch", "destroy", "\xff", "\x7f"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        using var stream = new ReplayStream(input);
        var session = new ZmtpSession(stream, MaxMessage);
        var outcome = new StringBuilder();
        try
        {
            session.HandshakeAsync(CancellationToken.None).GetAwaiter().GetResult();
            while (session.ReadMessageAsync(CancellationToken.None).GetAwaiter().GetResult() is { } parts)
            {
                if (parts.Sum(p => (long)p.Length) > MaxMessage)
                {
                    throw new FuzzInvariantException($"a message of {parts.Sum(p => (long)p.Length)} bytes passed the {MaxMessage}-byte bound");
                }

                var command = ZmqCommand.Parse(parts, [], out var error);
                if (command is null)
                {
                    Invariant.OneLine(error, "command refusal");
                }

                outcome.Append(command?.Kind.ToString() ?? "refused").Append(';');
            }
        }
        catch (ZmtpException e)
        {
            Invariant.OneLine(e.Message, "session refusal");
            outcome.Append("closed: ").Append(e.Message);
        }

        return outcome.ToString();
    }

    private static byte[] Greeting()
    {
        var g = new byte[64];
        g[0] = 0xFF;
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = 1;
        "NULL"u8.CopyTo(g.AsSpan(12));
        return g;
    }

    private static byte[] Ready(string socketType)
    {
        var name = "Socket-Type"u8.ToArray();
        var value = Encoding.ASCII.GetBytes(socketType);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        return Frame(0x04, [5, .. "READY"u8, (byte)name.Length, .. name, .. length, .. value]);
    }

    private static byte[] Message(params string[] parts)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            bytes.AddRange(Frame(i < parts.Length - 1 ? (byte)0x01 : (byte)0x00, Encoding.UTF8.GetBytes(parts[i])));
        }

        return [.. bytes];
    }

    private static byte[] Frame(byte flags, byte[] body) => [flags, (byte)body.Length, .. body];

    /// <summary>A peer that sends the input and then closes; what the session writes back is discarded.</summary>
    private sealed class ReplayStream(byte[] input) : Stream
    {
        private int _at;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, input.Length - _at);
            Array.Copy(input, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
