using System.Collections.Concurrent;
using Emperor.Core.Abstractions;
using Emperor.Core.Config;
using Emperor.Core.Subscriptions;
using Emperor.Core.VassalRole;
using Emperor.Core.Vassals;

namespace Emperor.Hosting.Tests;

/// <summary>
/// The Emperor announces its vassals to routers (issue #14 §3), in-process: which datagrams go to which subscription
/// server as a vassal starts, runs, crash-loops, changes its file and goes away. Fake clock, fake sender.
/// </summary>
public sealed class AnnounceTests
{
    [Fact]
    public async Task A_running_vassal_is_announced_reannounced_every_subscribe_freq_and_unsubscribed_when_removed()
    {
        var files = new FakeConfigs();
        files.Set("app.ini", ("http-socket", "127.0.0.1:8080"), ("subscribe-to", "127.0.0.1:7000:app.example"), ("subscribe-freq", "5"));
        var sender = new FakeSender();
        await using var h = await Start(files, sender, m => m.Write("app.ini"));

        var first = await Eventually(sender, 1);
        Assert.Equal(("127.0.0.1:7000", SubscriptionCommand.Subscribe, "app.example", "127.0.0.1:8080", true), first);
        var stats = Assert.Single((await h.VassalAsync("app.ini"))!.Subscriptions);
        Assert.Equal(("app.example", "127.0.0.1:7000", "announced", "127.0.0.1:8080", "http"), (stats.Key, stats.Server, stats.State, stats.Address, stats.Proto));

        await h.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Single(sender.Sent); // not yet due
        await h.AdvanceUntilAsync(() => Task.FromResult(sender.Sent.Count == 2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), "the re-announce");
        Assert.Equal(SubscriptionCommand.Subscribe, sender.Sent[1].Command);

        h.Monitor.Remove("app.ini");
        var gone = await Eventually(sender, 3, () => h.AdvanceAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal((SubscriptionCommand.Unsubscribe, "app.example", "127.0.0.1:8080"), (gone.Command, gone.Key, gone.Address));
    }

    [Fact]
    public async Task A_crash_loop_withdraws_the_node_and_a_respawn_announces_it_again()
    {
        var files = new FakeConfigs();
        files.Set("app.ini", ("socket", "127.0.0.1:3031"), ("subscribe-to", "/run/router.sock:app.example"));
        var sender = new FakeSender();
        await using var h = await Start(files, sender, m => m.Write("app.ini"));
        await Eventually(sender, 1);

        // A SIGTERM from outside respawns at once: the held socket keeps the backlog, the node stays announced.
        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Killed(Core.Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the immediate respawn");
        await h.StatsAsync();
        Assert.Single(sender.Sent);

        // A first crash waits a second in the blacklist: the held socket's backlog bridges it, still announced.
        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Exited(1));
        await h.AdvanceUntilAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini") == 3), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30), "the respawn after the first crash");
        Assert.Single(sender.Sent);

        // Crashing again waits longer: withdrawn at once, not after the router's tolerance.
        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Exited(1));
        var withdrawn = await Eventually(sender, 2);
        Assert.Equal((SubscriptionCommand.Unsubscribe, "/run/router.sock"), (withdrawn.Command, withdrawn.Server));
        Assert.Equal(string.Empty, Assert.Single((await h.VassalAsync("app.ini"))!.Subscriptions).State);

        await h.AdvanceUntilAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini") == 4), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60), "the respawn after the wait");
        Assert.Equal(SubscriptionCommand.Subscribe, (await Eventually(sender, 3)).Command);
    }

    [Fact]
    public async Task A_changed_key_unsubscribes_the_old_one_and_a_bad_line_is_said_once_across_respawns()
    {
        var files = new FakeConfigs();
        files.Set("app.ini", ("socket", "127.0.0.1:3031"), ("subscribe-to", "127.0.0.1:7000:old.example"), ("subscribe-to", "router:7000:bad.example"));
        var sender = new FakeSender();
        await using var h = await Start(files, sender, m => m.Write("app.ini"));
        await Eventually(sender, 1);
        h.Launcher.Exit(h.Launcher.Latest("app.ini")!.Pid, VassalExit.Killed(Core.Signals.Sigterm)); // an immediate respawn reads the file again
        await LoopHarness.EventuallyAsync(() => Task.FromResult(h.Launcher.LaunchCount("app.ini")), n => n == 2, "the respawn");
        await h.StatsAsync();
        Assert.Equal(1, h.Log.Count("subscribe-to = router:7000:bad.example: subscription server router:7000: \"router\" is not an IP address"));

        files.Set("app.ini", ("socket", "127.0.0.1:3031"), ("subscribe-to", "127.0.0.1:7000:new.example"));
        var old = h.Launcher.Latest("app.ini")!;
        old.FakeLink.Unread = 1; // a binary patch does not read the reload byte: restarted
        h.Monitor.Write("app.ini");
        await h.ScanAsync();
        await h.AdvanceUntilAsync(() => Task.FromResult(old.Signals.Count > 0), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), "the restart");
        h.Launcher.Exit(old.Pid, VassalExit.Killed(Core.Signals.Sigterm));
        await LoopHarness.EventuallyAsync(() => h.VassalAsync("app.ini"), v => v!.Subscriptions.Any(s => s.Key == "new.example" && s.State == "announced"), "the new key");
        Assert.Contains(sender.Sent, p => p is { Command: SubscriptionCommand.Unsubscribe, Key: "old.example" });
        Assert.Contains(sender.Sent, p => p is { Command: SubscriptionCommand.Subscribe, Key: "new.example" });
    }

    [Fact]
    public async Task A_vassal_without_subscriptions_sends_nothing()
    {
        var files = new FakeConfigs();
        files.Set("app.ini", ("socket", "127.0.0.1:3031"));
        var sender = new FakeSender();
        await using var h = await Start(files, sender, m => m.Write("app.ini"));
        Assert.Equal("running", (await h.VassalAsync("app.ini"))!.State);
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(sender.Sent);
        Assert.Empty((await h.VassalAsync("app.ini"))!.Subscriptions);
    }

    private static Task<LoopHarness> Start(FakeConfigs files, FakeSender sender, Action<Testing.Fakes.FakeMonitor> before) =>
        LoopHarness.StartWithAsync(host => host with { ConfigReader = files, SocketBinder = new NullBinder(), Announcer = sender }, before);

    private static async Task<(string Server, SubscriptionCommand Command, string Key, string Address, bool Http)> Eventually(FakeSender sender, int count, Func<Task>? nudge = null)
    {
        await LoopHarness.EventuallyAsync(
            async () =>
            {
                if (nudge is not null)
                {
                    await nudge();
                }

                return sender.Sent.Count;
            },
            n => n >= count,
            $"datagram {count}");
        var p = sender.Sent[count - 1];
        return (p.Server, p.Command, p.Key, p.Address, p.Http);
    }

    private sealed class FakeConfigs : IVassalConfigReader
    {
        private readonly ConcurrentDictionary<string, List<ConfigOption>> _files = new();

        public void Set(string name, params (string Key, string Value)[] options) =>
            _files[name] = options.Prepend((Key: "unprivileged-binary-patch-arg", Value: "/bin/app --serve")).Select(o => new ConfigOption(o.Key, o.Value)).ToList();

        public ConfigLoadResult? Read(LaunchRequest request, out string? why)
        {
            why = null;
            return _files.TryGetValue(request.Arguments[^1], out var options) ? new ConfigLoadResult(options, []) : null;
        }
    }

    private sealed class FakeSender : IDatagramSender
    {
        private readonly ConcurrentQueue<Sent> _sent = new();

        public IReadOnlyList<Sent> Sent => [.. _sent];

        public void Send(string server, byte[] datagram)
        {
            var p = SubscriptionCodec.Decode(datagram, out var error) ?? throw new InvalidOperationException(error);
            _sent.Enqueue(new Sent(server, p.Command, p.Key, p.Address, p.Extra.Contains(KeyValuePair.Create("proto", "http"))));
        }
    }

    internal sealed record Sent(string Server, SubscriptionCommand Command, string Key, string Address, bool Http);

    private sealed class NullBinder : ISocketBinder
    {
        private int _next = 100;

        public IHeldSocket? Bind(SocketSpec spec, SocketOptions options, out string? error)
        {
            error = null;
            return new Held(Interlocked.Increment(ref _next));
        }

        private sealed class Held(int fd) : IHeldSocket
        {
            public int Fd => fd;

            public void Dispose()
            {
            }
        }
    }
}
