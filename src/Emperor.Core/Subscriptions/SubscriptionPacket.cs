namespace Emperor.Core.Subscriptions;

/// <summary>
/// One decoded subscription announce (spec §17). <see cref="Key"/> is the routing key (a hostname, optionally with
/// <c>:port</c>, and with our extension an optional <c>/path</c> prefix); <see cref="Address"/> the node's socket.
/// Keys we do not interpret (uWSGI 2.0's <c>sni_key</c>, <c>sni_crt</c>, <c>sni_ca</c>, <c>notify</c>, <c>unix</c>,
/// <c>sign</c>, …) are kept in <see cref="Extra"/> in arrival order so an encoder can pass them on unchanged.
/// </summary>
internal sealed record SubscriptionPacket(
    SubscriptionCommand Command,
    string Key,
    string Address,
    int Modifier1 = 0,
    int Modifier2 = 0,
    int Cores = 0,
    int Load = 0,
    int Weight = 1)
{
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    // Records compare lists by reference; the round-trip property needs value equality.
    public bool Equals(SubscriptionPacket? other) =>
        other is not null
        && Command == other.Command && Key == other.Key && Address == other.Address
        && Modifier1 == other.Modifier1 && Modifier2 == other.Modifier2 && Cores == other.Cores
        && Load == other.Load && Weight == other.Weight && Extra.SequenceEqual(other.Extra);

    public override int GetHashCode() => HashCode.Combine(Command, Key, Address, Weight);
}
