using Emperor.Core.Subscriptions;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The subscription datagram decoder (what any local process can send to the router's subscription server): never
/// throws, a refusal is one line, and what it accepts survives an encode/decode round trip unchanged.
/// </summary>
internal sealed class SubscriptionPacketTarget : IFuzzTarget
{
    public string Name => "subscription";

    public IEnumerable<byte[]> Seeds =>
    [
        SubscriptionCodec.Encode(new SubscriptionPacket(SubscriptionCommand.Subscribe, "example.com", "127.0.0.1:3031")),
        SubscriptionCodec.Encode(new SubscriptionPacket(SubscriptionCommand.Unsubscribe, "shop.example.com:8080", "/run/shop.sock", Modifier1: 5, Cores: 4, Load: 2, Weight: 3)),
        [224, 0, 0, 0],
        [224, 10, 0, 0, 3, 0, (byte)'k', (byte)'e', (byte)'y', 1, 0],
    ];

    public IReadOnlyList<string> Dictionary => ["key", "address", "modifier1", "modifier2", "cores", "load", "weight", "\u00e0", "\0"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var packet = SubscriptionCodec.Decode(input, out var error);
        if (packet is null)
        {
            Invariant.OneLine(error, "refusal");
            return "refused: " + error;
        }

        byte[] again;
        try
        {
            again = SubscriptionCodec.Encode(packet);
        }
        catch (ArgumentException e)
        {
            return "accepted, too large to send again: " + e.Message;
        }

        var back = SubscriptionCodec.Decode(again, out var backError);
        if (back is null || !back.Equals(packet))
        {
            throw new FuzzInvariantException($"round trip changed the packet: {packet} -> {(object?)back ?? backError}");
        }

        return packet.ToString();
    }
}
