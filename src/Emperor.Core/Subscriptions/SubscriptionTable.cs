namespace Emperor.Core.Subscriptions;

/// <summary>
/// The router's view of who serves what (spec §17). A key is a host, optionally with <c>:port</c>, optionally
/// followed by a path prefix (<c>example.com/api</c>, our extension beyond uWSGI). A node expires when not
/// re-announced within the tolerance (uWSGI's <c>subscription-tolerance</c>, default 17 s); an unsubscribe removes
/// it at once. Among a key's nodes the pick is smooth weighted round robin; a node marked dead is skipped until its
/// retry time, then tried again. Thread-safe: the subscription server writes while the fronts read.
/// </summary>
internal sealed class SubscriptionTable(TimeProvider clock, TimeSpan tolerance, TimeSpan deadRetry)
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(17);
    public static readonly TimeSpan DefaultDeadRetry = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();

    // host (lower case, with port if the key had one) -> path prefix ("" for none) -> nodes
    private readonly Dictionary<string, Dictionary<string, List<SubscriptionNode>>> _hosts = new(StringComparer.Ordinal);

    public SubscriptionTable(TimeProvider clock)
        : this(clock, DefaultTolerance, DefaultDeadRetry)
    {
    }

    public TimeSpan Tolerance => tolerance;

    /// <summary>Applies one packet. Returns true when it changed the set of nodes (a new node or a removal).</summary>
    public bool Apply(SubscriptionPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var (host, path) = SplitKey(packet.Key);
        lock (_lock)
        {
            if (!_hosts.TryGetValue(host, out var paths))
            {
                if (packet.Command == SubscriptionCommand.Unsubscribe)
                {
                    return false;
                }

                _hosts[host] = paths = new(StringComparer.Ordinal);
            }

            if (!paths.TryGetValue(path, out var nodes))
            {
                if (packet.Command == SubscriptionCommand.Unsubscribe)
                {
                    return false;
                }

                paths[path] = nodes = [];
            }

            var node = nodes.Find(n => n.Address == packet.Address);
            if (packet.Command == SubscriptionCommand.Unsubscribe)
            {
                if (node is null)
                {
                    return false;
                }

                Remove(host, path, nodes, node);
                return true;
            }

            var added = node is null;
            if (node is null)
            {
                node = new SubscriptionNode(packet.Key, packet.Address);
                nodes.Add(node);
            }

            // uWSGI treats weight 0 as 1: an announce always means "send me something".
            node.Weight = Math.Max(1, packet.Weight);
            node.Modifier1 = packet.Modifier1;
            node.Modifier2 = packet.Modifier2;
            node.Http = packet.Extra.Any(kv => kv.Key == "proto" && kv.Value == "http");
            node.LastAnnounce = clock.GetUtcNow();
            return added;
        }
    }

    /// <summary>Drops every node not announced within the tolerance; returns them (for one log line each).</summary>
    public IReadOnlyList<SubscriptionNode> Sweep()
    {
        var now = clock.GetUtcNow();
        var gone = new List<SubscriptionNode>();
        lock (_lock)
        {
            foreach (var (host, paths) in _hosts.ToList())
            {
                foreach (var (path, nodes) in paths.ToList())
                {
                    foreach (var node in nodes.Where(n => now - n.LastAnnounce > tolerance).ToList())
                    {
                        gone.Add(node);
                        Remove(host, path, nodes, node);
                    }
                }
            }
        }

        return gone;
    }

    /// <summary>
    /// Picks a node for a request: the Host exactly, else the Host without its port; then the longest subscribed
    /// path prefix that matches at a segment boundary (<c>/api</c> matches <c>/api</c> and <c>/api/x</c>, not
    /// <c>/apix</c>). Null when nothing (alive) serves it.
    /// </summary>
    public SubscriptionNode? Route(string host, string path)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(path);
        var now = clock.GetUtcNow();
        var wanted = host.ToLowerInvariant();
        lock (_lock)
        {
            if (!_hosts.TryGetValue(wanted, out var paths))
            {
                var colon = wanted.LastIndexOf(':');
                if (colon <= 0 || wanted.EndsWith(']') || !_hosts.TryGetValue(wanted[..colon], out paths))
                {
                    return null;
                }
            }

            foreach (var prefix in paths.Keys.Where(p => Matches(p, path)).OrderByDescending(p => p.Length))
            {
                var pick = Pick(paths[prefix], now);
                if (pick is not null)
                {
                    return pick;
                }
            }

            return null;
        }
    }

    /// <summary>The front failed to reach the node: skip it for the dead-retry interval.</summary>
    public void MarkDead(SubscriptionNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            node.DeadUntil = clock.GetUtcNow() + deadRetry;
        }
    }

    /// <summary>A snapshot for stats and tests: (key, address, weight) of every node.</summary>
    public IReadOnlyList<(string Key, string Address, int Weight)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _hosts.Values.SelectMany(p => p.Values).SelectMany(n => n).Select(n => (n.Key, n.Address, n.Weight))];
        }
    }

    /// <summary>Splits <c>Example.com:8080/api/</c> into <c>example.com:8080</c> and <c>/api</c>.</summary>
    internal static (string Host, string Path) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var host = (slash < 0 ? key : key[..slash]).ToLowerInvariant();
        var path = slash < 0 ? "" : key[slash..].TrimEnd('/');
        return (host, path);
    }

    private static bool Matches(string prefix, string path) =>
        prefix.Length == 0
        || (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/' || path[prefix.Length] == '?'));

    // Smooth weighted round robin: every live node gains its weight, the highest score wins and pays the total.
    private static SubscriptionNode? Pick(List<SubscriptionNode> nodes, DateTimeOffset now)
    {
        SubscriptionNode? best = null;
        long total = 0;
        foreach (var node in nodes)
        {
            if (node.DeadUntil is { } until && until > now)
            {
                continue;
            }

            node.DeadUntil = null;
            node.Current += node.Weight;
            total += node.Weight;
            if (best is null || node.Current > best.Current)
            {
                best = node;
            }
        }

        if (best is not null)
        {
            best.Current -= total;
        }

        return best;
    }

    private void Remove(string host, string path, List<SubscriptionNode> nodes, SubscriptionNode node)
    {
        nodes.Remove(node);
        if (nodes.Count == 0)
        {
            var paths = _hosts[host];
            paths.Remove(path);
            if (paths.Count == 0)
            {
                _hosts.Remove(host);
            }
        }
    }
}
