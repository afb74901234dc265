using Emperor.Core.Config;
using Emperor.Core.Subscriptions;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.Subscriptions;

/// <summary>The subscriptions of a vassal's file, read as uWSGI 2.0 reads subscribe-to / subscribe2, for the Emperor to announce.</summary>
public sealed class VassalSubscriptionsTests
{
    private static readonly SocketSpec s_uwsgi = new("socket", "127.0.0.1:3031", SocketAddressKind.Tcp, "127.0.0.1", 3031, string.Empty);
    private static readonly SocketSpec s_http = new("http-socket", "127.0.0.1:8080", SocketAddressKind.Tcp, "127.0.0.1", 8080, string.Empty);

    private static (VassalSubscriptions Value, List<string> Errors) Read(params (string Key, string Value)[] options) =>
        VassalSubscriptions.Read(options.Select(o => new ConfigOption(o.Key, o.Value)).ToList(), path => path == "/exists");

    [Theory]
    [InlineData("127.0.0.1:7000:example.com", "127.0.0.1:7000", "example.com", null, 0)]
    [InlineData("127.0.0.1:7000:example.com:8080", "127.0.0.1:7000", "example.com:8080", null, 0)]
    [InlineData("127.0.0.1:7000:example.com/api,5", "127.0.0.1:7000", "example.com/api", null, 5)]
    [InlineData("/run/router.sock:example.com", "/run/router.sock", "example.com", null, 0)]
    [InlineData("127.0.0.1:4000=127.0.0.1:7000:example.com", "127.0.0.1:7000", "example.com", "127.0.0.1:4000", 0)]
    [InlineData("[::1]:7000:example.com", "[::1]:7000", "example.com", null, 0)]
    public void Subscribe_to_is_split_as_uwsgi_splits_it(string value, string server, string key, string? address, int modifier1)
    {
        var (subs, errors) = Read(("subscribe-to", value));
        Assert.Empty(errors);
        var item = Assert.Single(subs.Items);
        Assert.Equal((server, key, address, modifier1), (item.Server, item.Key, item.Address, item.Modifier1));
    }

    [Theory]
    [InlineData("example.com", "expected SERVER:KEY")]
    [InlineData("127.0.0.1:7000", "expected SERVER:KEY")]
    [InlineData("127.0.0.1:7000:", "expected SERVER:KEY")]
    [InlineData("router.internal:7000:example.com", "not an IP address")]
    [InlineData("127.0.0.1:99999:example.com", "port")]
    [InlineData("127.0.0.1:7000:@/etc/keys", "keys read from a file")]
    [InlineData("=0=127.0.0.1:7000:example.com", "shared socket by number")]
    [InlineData("127.0.0.1:7000:example.com,5,/etc/key.pem", "signed subscriptions")]
    [InlineData("127.0.0.1:7000:example.com,x", "modifier1 x")]
    [InlineData("127.0.0.1:7000:exa mple.com", "key 'exa mple.com'")]
    public void A_bad_subscribe_to_is_one_error_naming_the_option(string value, string reason)
    {
        var (subs, errors) = Read(("subscribe-to", value));
        Assert.Empty(subs.Items);
        var error = Assert.Single(errors);
        Assert.StartsWith($"subscribe-to = {value}: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Subscribe2_takes_uwsgis_keys_and_ours()
    {
        var (subs, errors) = Read(
            ("subscribe2", "server=127.0.0.1:7000,key=a.example,weight=3,modifier1=7,modifier2=1,socket=1"),
            ("subscribe2", "server=/run/r.sock,key=b.example,addr=/run/b.sock,proto=http"),
            ("subscribe2", "server=127.0.0.1:7000,key=c.example,check=/exists"),
            ("subscribe-freq", "3"));
        Assert.Empty(errors);
        Assert.Equal(2, subs.Items.Count); // check=FILE that exists: skipped, as uWSGI does
        Assert.Equal(new AnnouncedSubscription("127.0.0.1:7000", "a.example", null, 1, 7, 1, 3, null), subs.Items[0]);
        Assert.Equal(new AnnouncedSubscription("/run/r.sock", "b.example", "/run/b.sock", null, 0, 0, 1, "http"), subs.Items[1]);
        Assert.Equal(TimeSpan.FromSeconds(3), subs.Frequency);
    }

    [Theory]
    [InlineData("key=a.example", "server= and key= are both required")]
    [InlineData("server=127.0.0.1:7000,key=a,sign=x", "sign is not supported")]
    [InlineData("server=127.0.0.1:7000,key=a,sni_crt=x", "sni_crt is not supported")]
    [InlineData("server=127.0.0.1:7000,key=a,color=blue", "unknown key 'color'")]
    [InlineData("server=127.0.0.1:7000,key=a,proto=gopher", "proto=gopher")]
    [InlineData("server=127.0.0.1:7000,key=a,weight=-1", "weight=-1")]
    [InlineData("server=127.0.0.1:7000,nonsense", "'nonsense' is not KEY=VALUE")]
    public void A_bad_subscribe2_is_one_error(string value, string reason)
    {
        var (subs, errors) = Read(("subscribe2", value));
        Assert.Empty(subs.Items);
        Assert.Contains(reason, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_frequency_is_an_error_and_a_file_without_subscriptions_has_none()
    {
        Assert.Contains("subscribe-freq = 0", Assert.Single(Read(("subscribe-freq", "0")).Errors), StringComparison.Ordinal);
        var (none, errors) = Read(("socket", ":3031"), ("module", "app"));
        Assert.Empty(errors);
        Assert.Same(VassalSubscriptions.None, none);
    }

    [Fact]
    public void The_node_is_the_first_socket_unless_the_file_names_one_and_http_sockets_are_spoken_to_in_http()
    {
        var first = new AnnouncedSubscription("127.0.0.1:7000", "a", null, null, 0, 0, 1, null);
        Assert.Equal(("127.0.0.1:3031", "uwsgi"), VassalSubscriptions.NodeOf(first, [s_uwsgi, s_http], null, out _));
        Assert.Equal(("127.0.0.1:8080", "http"), VassalSubscriptions.NodeOf(first, [s_http, s_uwsgi], null, out _));
        Assert.Equal(("127.0.0.1:8080", "http"), VassalSubscriptions.NodeOf(first with { SocketIndex = 1 }, [s_uwsgi, s_http], null, out _));
        Assert.Equal(("127.0.0.1:8080", "http"), VassalSubscriptions.NodeOf(first with { Address = "127.0.0.1:8080" }, [s_uwsgi, s_http], null, out _));
        Assert.Equal(("/run/x.sock", "uwsgi"), VassalSubscriptions.NodeOf(first with { Address = "/run/x.sock" }, [s_http], null, out _));
        Assert.Equal(("/run/x.sock", "http"), VassalSubscriptions.NodeOf(first with { Address = "/run/x.sock", Proto = "http" }, [], null, out _));

        // On demand: the socket the Emperor holds and watches is the node.
        Assert.Equal(("/run/od.sock", "uwsgi"), VassalSubscriptions.NodeOf(first, [], "/run/od.sock", out _));

        Assert.Null(VassalSubscriptions.NodeOf(first, [], null, out var why));
        Assert.Contains("declares no socket", why, StringComparison.Ordinal);
        Assert.Null(VassalSubscriptions.NodeOf(first with { SocketIndex = 2 }, [s_uwsgi], null, out why));
        Assert.Contains("socket=2", why, StringComparison.Ordinal);
    }
}
