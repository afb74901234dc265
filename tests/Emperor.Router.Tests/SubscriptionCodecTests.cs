using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Emperor.Core.Subscriptions;

namespace Emperor.Router.Tests;

public sealed class SubscriptionCodecTests
{
    private static readonly Gen<string> s_word = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789.-:/_"].Array[1, 40].Select(c => new string(c));

    private static readonly Gen<SubscriptionPacket> s_packet =
        Gen.Select(Gen.Bool, s_word, s_word, Gen.Int[0, 255], Gen.Int[0, 255], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 100])
            .SelectMany(t => Gen.Select(s_word, s_word).Array[0, 4].Select(extra => new SubscriptionPacket(
                t.Item1 ? SubscriptionCommand.Subscribe : SubscriptionCommand.Unsubscribe, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8)
            {
                // Extra keys never collide with the keys the decoder interprets.
                Extra = [.. extra.Select(e => new KeyValuePair<string, string>("x_" + e.Item1, e.Item2))],
            }));

    [Fact]
    public void Round_trip_keeps_every_field() =>
        s_packet.Sample(packet => Assert.Equal(packet, SubscriptionCodec.Decode(SubscriptionCodec.Encode(packet), out _)), iter: 2000);

    [Fact]
    public void Garbage_never_throws_and_failures_say_why() =>
        Gen.Byte.Array[0, 5000].Sample(bytes =>
        {
            var packet = SubscriptionCodec.Decode(bytes, out var error);
            Assert.True(packet is not null || error.Length > 0);
        }, iter: 3000);

    [Fact]
    public void Mutated_valid_packets_never_throw() =>
        Gen.Select(s_packet, Gen.Int[0, 4095], Gen.Byte).Sample((packet, at, value) =>
        {
            var bytes = SubscriptionCodec.Encode(packet);
            bytes[at % bytes.Length] = value;
            var decoded = SubscriptionCodec.Decode(bytes, out var error);
            Assert.True(decoded is not null || error.Length > 0);
        }, iter: 3000);

    [Fact]
    public void Decodes_the_bytes_uwsgi_sends()
    {
        // Built by hand from spec §17 rather than with our encoder, so the two cannot share one mistake.
        var body = new List<byte>();
        foreach (var field in new[] { "key", "example.com", "address", "127.0.0.1:3031", "modifier1", "0", "modifier2", "0", "cores", "2", "load", "0", "weight", "3", "notify", "/tmp/n" })
        {
            var bytes = Encoding.ASCII.GetBytes(field);
            body.Add((byte)bytes.Length);
            body.Add(0);
            body.AddRange(bytes);
        }

        byte[] header = [224, (byte)(body.Count & 0xFF), (byte)(body.Count >> 8), 0];
        var packet = SubscriptionCodec.Decode([.. header, .. body], out var error);
        Assert.Equal("", error);
        Assert.NotNull(packet);
        Assert.Equal(SubscriptionCommand.Subscribe, packet.Command);
        Assert.Equal("example.com", packet.Key);
        Assert.Equal("127.0.0.1:3031", packet.Address);
        Assert.Equal(2, packet.Cores);
        Assert.Equal(3, packet.Weight);
        Assert.Equal([new("notify", "/tmp/n")], packet.Extra);

        header[3] = 7;
        Assert.Equal(SubscriptionCommand.Unsubscribe, SubscriptionCodec.Decode([.. header, .. body], out _)?.Command);
    }

    [Theory]
    [InlineData(new byte[] { 224, 0 }, "truncated header")]
    [InlineData(new byte[] { 0, 0, 0, 0 }, "modifier1 0")]
    [InlineData(new byte[] { 224, 10, 0, 0, 1 }, "truncated body")]
    [InlineData(new byte[] { 224, 0, 0, 0, 1 }, "after the")]
    [InlineData(new byte[] { 224, 1, 0, 0, 1 }, "truncated length")]
    [InlineData(new byte[] { 224, 3, 0, 0, 9, 0, 1 }, "overruns")]
    [InlineData(new byte[] { 224, 0, 0, 0 }, "no key")]
    public void Bad_packets_are_named(byte[] datagram, string reason)
    {
        Assert.Null(SubscriptionCodec.Decode(datagram, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_and_non_numeric_are_rejected()
    {
        var big = new byte[SubscriptionCodec.MaxPacket + 1];
        big[0] = 224;
        Assert.Contains("oversized", Error(big), StringComparison.Ordinal);

        var packet = SubscriptionCodec.Encode(new(SubscriptionCommand.Subscribe, "k", "a") { Extra = [new("x", "y")] });
        Assert.NotNull(SubscriptionCodec.Decode(packet, out _));
        var weightAt = Encoding.ASCII.GetString(packet).IndexOf("weight", StringComparison.Ordinal) + 8;
        packet[weightAt] = (byte)'z';
        Assert.Contains("not a decimal number", Error(packet), StringComparison.Ordinal);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(packet.AsSpan(weightAt - 2)));

        Assert.Throws<ArgumentException>(() => SubscriptionCodec.Encode(new(SubscriptionCommand.Subscribe, new string('k', 5000), "a")));
    }

    private static string Error(byte[] datagram)
    {
        Assert.Null(SubscriptionCodec.Decode(datagram, out var error));
        return error;
    }
}
