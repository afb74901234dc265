using Emperor.Core.Subscriptions;
using Microsoft.Extensions.Time.Testing;

namespace Emperor.Router.Tests;

public sealed class SubscriptionTableTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SubscriptionTable _table;

    public SubscriptionTableTests() => _table = new SubscriptionTable(_clock, TimeSpan.FromSeconds(17), TimeSpan.FromSeconds(10));

    private static SubscriptionPacket Sub(string key, string address, int weight = 1) => new(SubscriptionCommand.Subscribe, key, address, Weight: weight);

    [Fact]
    public void A_node_expires_after_the_tolerance_without_a_re_announce()
    {
        Assert.True(_table.Apply(Sub("example.com", "a:1")));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_table.Apply(Sub("example.com", "a:1")));
        _clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Empty(_table.Sweep());
        Assert.Equal("a:1", _table.Route("example.com", "/")?.Address);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a:1", Assert.Single(_table.Sweep()).Address);
        Assert.Null(_table.Route("example.com", "/"));
    }

    [Fact]
    public void Unsubscribe_removes_at_once()
    {
        _table.Apply(Sub("example.com", "a:1"));
        Assert.True(_table.Apply(Sub("example.com", "a:1") with { Command = SubscriptionCommand.Unsubscribe }));
        Assert.Null(_table.Route("example.com", "/"));
        Assert.Empty(_table.Snapshot());
        Assert.False(_table.Apply(Sub("example.com", "a:1") with { Command = SubscriptionCommand.Unsubscribe }));
    }

    [Fact]
    public void Weighted_round_robin_shares_by_weight_and_interleaves()
    {
        _table.Apply(Sub("example.com", "a:1", weight: 3));
        _table.Apply(Sub("example.com", "b:1", weight: 1));
        var picks = Enumerable.Range(0, 8).Select(_ => _table.Route("example.com", "/")!.Address).ToList();
        Assert.Equal(6, picks.Count(p => p == "a:1"));
        Assert.Equal(2, picks.Count(p => p == "b:1"));
        Assert.NotEqual("b:1", picks[0]);
        Assert.NotEqual(picks[1], picks[2]);
    }

    [Fact]
    public void A_dead_node_is_skipped_then_retried()
    {
        _table.Apply(Sub("example.com", "a:1"));
        _table.Apply(Sub("example.com", "b:1"));
        var a = _table.Snapshot().Single(n => n.Address == "a:1");
        var node = Enumerable.Range(0, 2).Select(_ => _table.Route("example.com", "/")!).First(n => n.Address == a.Address);
        _table.MarkDead(node);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal("b:1", _table.Route("example.com", "/")?.Address));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Contains("a:1", Enumerable.Range(0, 4).Select(_ => _table.Route("example.com", "/")?.Address));
    }

    [Fact]
    public void All_dead_routes_nowhere()
    {
        _table.Apply(Sub("example.com", "a:1"));
        _table.MarkDead(_table.Route("example.com", "/")!);
        Assert.Null(_table.Route("example.com", "/"));
    }

    [Theory]
    [InlineData("example.com", "/", "plain:1")]
    [InlineData("EXAMPLE.com:8080", "/", "plain:1")]
    [InlineData("example.com:9090", "/", "port:1")]
    [InlineData("example.com", "/api", "api:1")]
    [InlineData("example.com", "/api/v1/x", "api:1")]
    [InlineData("example.com", "/api?q=1", "api:1")]
    [InlineData("example.com", "/apix", "plain:1")]
    [InlineData("example.com", "/api/v2/x", "v2:1")]
    [InlineData("other.org", "/", null)]
    public void Routes_by_host_then_longest_path_prefix(string host, string path, string? expected)
    {
        _table.Apply(Sub("example.com", "plain:1"));
        _table.Apply(Sub("example.com:9090", "port:1"));
        _table.Apply(Sub("example.com/api/", "api:1"));
        _table.Apply(Sub("example.com/api/v2", "v2:1"));
        Assert.Equal(expected, _table.Route(host, path)?.Address);
    }

    [Fact]
    public void A_path_key_alone_does_not_serve_other_paths()
    {
        _table.Apply(Sub("example.com/api", "api:1"));
        Assert.Null(_table.Route("example.com", "/"));
    }
}
