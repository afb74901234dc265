using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;

namespace Emperor.Hosting.Tests;

/// <summary>The held-socket table alone, over a fake binder: what is kept, rebound and closed.</summary>
public sealed class HeldSocketsTests
{
    private static readonly SocketOptions s_default = new(100, null, null);

    [Fact]
    public void Unchanged_lines_keep_their_socket_changed_ones_are_rebound_and_removed_ones_closed()
    {
        var binder = new FakeBinder();
        using var held = new HeldSockets(binder);
        Assert.True(held.TryPrepare("a.ini", [Tcp(":8001"), Tcp(":8002")], s_default, out var first, out _));
        Assert.Equal([":8001", ":8002"], first.Select(p => p.Address));

        Assert.True(held.TryPrepare("a.ini", [Tcp(":8001"), Tcp(":8003")], s_default, out var second, out _));
        Assert.Equal(first[0].Fd, second[0].Fd); // kept
        Assert.Equal([":8001", ":8002", ":8003"], binder.Bound.Select(b => b.Address));
        Assert.Equal([":8002"], binder.Closed);
        Assert.Equal(2, held.Count);

        Assert.True(held.TryPrepare("a.ini", [Tcp(":8001"), Tcp(":8003")], s_default with { Backlog = 5 }, out _, out _));
        Assert.Equal([":8001", ":8002", ":8003"], binder.Closed.Order(StringComparer.Ordinal)); // new listen options: rebound
        Assert.Equal(5, binder.Bound.Count);

        held.Release("a.ini");
        Assert.Equal(0, held.Count);
        Assert.Equal(5, binder.Closed.Count);
    }

    [Fact]
    public void A_failed_bind_keeps_what_was_bound_and_names_the_address()
    {
        var binder = new FakeBinder { Refuse = ":80" };
        using var held = new HeldSockets(binder);
        Assert.False(held.TryPrepare("b.ini", [Tcp(":8080"), Tcp(":80")], s_default, out _, out var error));
        Assert.Equal("cannot bind socket :80: Permission denied", error);
        Assert.Equal(1, held.Count);

        binder.Refuse = null;
        Assert.True(held.TryPrepare("b.ini", [Tcp(":8080"), Tcp(":81")], s_default, out var passed, out _));
        Assert.Equal([":8080", ":80", ":81"], binder.Attempts);
        Assert.Equal(2, passed.Count);
    }

    [Fact]
    public void Vassals_are_independent_and_dispose_closes_everything()
    {
        var binder = new FakeBinder();
        var held = new HeldSockets(binder);
        Assert.True(held.TryPrepare("a.ini", [Tcp(":1")], s_default, out _, out _));
        Assert.True(held.TryPrepare("b.ini", [Tcp(":2")], s_default, out _, out _));
        held.Release("a.ini");
        Assert.Equal([":1"], binder.Closed);
        Assert.Equal([":2"], held.AddressesOf("b.ini"));
        held.Dispose();
        Assert.Equal([":1", ":2"], binder.Closed);
    }

    private static SocketSpec Tcp(string address) =>
        new("socket", address, SocketAddressKind.Tcp, string.Empty, int.Parse(address[1..], System.Globalization.CultureInfo.InvariantCulture), string.Empty);

    private sealed class FakeBinder : ISocketBinder
    {
        private int _next = 100;

        public string? Refuse { get; set; }

        public List<string> Attempts { get; } = [];

        public List<(string Address, int Fd)> Bound { get; } = [];

        public List<string> Closed { get; } = [];

        public IHeldSocket? Bind(SocketSpec spec, SocketOptions options, out string? error)
        {
            Attempts.Add(spec.Address);
            if (spec.Address == Refuse)
            {
                error = $"cannot bind {spec.Option} {spec.Address}: Permission denied";
                return null;
            }

            error = null;
            var fd = _next++;
            Bound.Add((spec.Address, fd));
            return new Socket(fd, () => Closed.Add(spec.Address));
        }

        private sealed class Socket(int fd, Action closed) : IHeldSocket
        {
            public int Fd => fd;

            public void Dispose() => closed();
        }
    }
}
