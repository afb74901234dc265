using System.Text;
using Emperor.Amqp;
using Emperor.Zmq;

namespace Emperor.Monitors.Tests;

/// <summary>
/// Regressions found by fuzzing (issue #17 §5, Corpus/amqp and Corpus/zmtp): a refusal quotes what the publisher or
/// peer sent, and a newline in it wrote lines of the sender's choosing into the Emperor's log. Each is one line now.
/// </summary>
public sealed class PeerTextOneLineTests
{
    [Fact]
    public void An_amqp_path_with_newlines_is_refused_in_one_line()
    {
        Assert.Null(AmqpMessage.Parse(null, "/e\nc/vassalsni\n"u8, [], 65536, out var error));
        Assert.Equal("\"/e\\nc/vassalsni\\n\": not a vassal file name (it must end in .ini, .xml, .yml, .yaml, .js, .json or an --emperor-extra-extension)", error);
    }

    [Fact]
    public void A_zmq_command_with_newlines_is_refused_in_one_line()
    {
        Assert.Null(ZmqCommand.Parse([Encoding.UTF8.GetBytes("touch\n[emperor] fake line"), "a.ini"u8.ToArray()], [], out var error));
        Assert.Equal("unknown command \"touch\\n[emperor] fake line\"", error);
    }

    [Fact]
    public void A_zmtp_peers_mechanism_with_newlines_is_one_line()
    {
        var greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        "\nEVIL\n"u8.CopyTo(greeting.AsSpan(12));
        using var stream = new MemoryStream();
        stream.Write(greeting);
        stream.Position = 0;
        var session = new ZmtpSession(new ReadOnlyPeer(stream), 1024);
        var e = Assert.Throws<ZmtpException>(() => session.HandshakeAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult());
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("\\nEVIL\\n", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads the peer's bytes; what the session writes back is dropped.</summary>
    private sealed class ReadOnlyPeer(Stream input) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

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
