namespace Emperor.Core.Subscriptions;

/// <summary>One node (a backend socket) subscribed under one key. Mutable, guarded by its table's lock.</summary>
internal sealed class SubscriptionNode(string key, string address)
{
    public string Key { get; } = key;
    public string Address { get; } = address;
    public int Weight { get; set; } = 1;
    public int Modifier1 { get; set; }
    public int Modifier2 { get; set; }

    /// <summary>The node speaks HTTP, not uwsgi (ours: the announce carries <c>proto=http</c>).</summary>
    public bool Http { get; set; }
    public DateTimeOffset LastAnnounce { get; set; }

    /// <summary>While set and in the future the node is skipped; afterwards it is tried again.</summary>
    public DateTimeOffset? DeadUntil { get; set; }

    /// <summary>Smooth weighted round robin's running score.</summary>
    internal long Current { get; set; }
}
