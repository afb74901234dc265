using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// The router as a vassal of the Emperor, with apps the Emperor announces for them (issue #14 §3): real processes, a
/// real router vassal (our router role), apps that know nothing of subscriptions; the Emperor announces them from
/// their files' <c>subscribe-to</c>/<c>subscribe2</c>, withdraws them when they go, and an on-demand app is woken by
/// the router's first request for it.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class RouterVassalTests
{
    /// <summary>An HTTP/1.1 app on the socket the Emperor passes as fd 3: answers "NAME PID PATH", closes.</summary>
    private const string App = """
        import os, socket, sys
        assert os.environ["LISTEN_FDS"] == "1"
        s = socket.socket(fileno=3)
        name = sys.argv[1]
        while True:
            c, _ = s.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            path = data.split(b" ")[1].decode() if data.count(b" ") >= 2 else "?"
            body = ("%s %d %s" % (name, os.getpid(), path)).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            c.close()
        """;

    [Fact(Timeout = 120_000)]
    public Task Apps_are_routed_by_host_and_path_while_they_run_and_withdrawn_at_once_when_removed() => EmperorScenario.RunAsync("router-vassal", async s =>
    {
        var app = s.Root.WriteFile("app.py", App);
        var (front, subscriptions) = (FreePort.Tcp(), FreePort.Tcp());
        var (a, b, routerStats) = (FreePort.Tcp(), FreePort.Tcp(), FreePort.Tcp());
        var emperor = await s.StartEmperorAsync();

        // A tolerance far above the waits below: a node that disappears did so by its unsubscribe, not by expiry.
        s.WriteVassal("router.ini", $"[uwsgi]\nhttp = 127.0.0.1:{front}\nhttp-subscription-server = 127.0.0.1:{subscriptions}\nsubscription-tolerance = 600\nhttp-stats = 127.0.0.1:{routerStats}\n");
        s.WriteVassal("a.ini", VassalFile.Command($"exec python3 {app} a", $"http-socket = 127.0.0.1:{a}", $"subscribe-to = 127.0.0.1:{subscriptions}:shop.example"));
        s.WriteVassal("b.ini", VassalFile.Command($"exec python3 {app} b", $"http-socket = 127.0.0.1:{b}", $"subscribe2 = server=127.0.0.1:{subscriptions},key=shop.example/api"));
        await emperor.WaitForStatsAsync(
            st => st.RunningPid("router.ini") is not null && Announced(st, "a.ini") && Announced(st, "b.ini"),
            EmperorScenario.Slow, "the router and both apps up and announced", s.Cancel);

        // Host routing, case-insensitive and with a port; the longest path prefix wins at a segment boundary.
        Assert.StartsWith("200 a ", await EventuallyGetAsync(front, "Shop.Example:8080", "/", r => r.StartsWith("200", StringComparison.Ordinal), s.Cancel), StringComparison.Ordinal);
        Assert.EndsWith(" /api/orders?x=1", await EventuallyGetAsync(front, "shop.example", "/api/orders?x=1", r => r.StartsWith("200 b", StringComparison.Ordinal), s.Cancel), StringComparison.Ordinal);
        Assert.StartsWith("200 a ", await GetAsync(front, "shop.example", "/apis", s.Cancel), StringComparison.Ordinal);
        Assert.StartsWith("502", await GetAsync(front, "other.example", "/", s.Cancel), StringComparison.Ordinal);

        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Contains("\"proto\": \"http\"", stats.Raw("a.ini", "subscriptions")!, StringComparison.Ordinal);

        // The router's stats: per node its protocol and the requests it was sent.
        using (var doc = System.Text.Json.JsonDocument.Parse(await ReadAllAsync(routerStats, s.Cancel)))
        {
            var nodeA = doc.RootElement.GetProperty("subscriptions").EnumerateArray().Single(n => n.GetProperty("node").GetString() == $"127.0.0.1:{a}");
            Assert.Equal("shop.example", nodeA.GetProperty("key").GetString());
            Assert.Equal("http", nodeA.GetProperty("proto").GetString());
            Assert.True(nodeA.GetProperty("requests").GetInt64() >= 2, nodeA.ToString());
            Assert.Equal(0, nodeA.GetProperty("failures").GetInt64());
        }

        Assert.Empty(emperor.LinesContaining("not announced")); // the Emperor took them: its vassal role says nothing

        // emperor ls names each vassal's keys.
        var ls = await Control.CliRun.RunAsync(s.Guard, ["ls", "--stats", $"127.0.0.1:{emperor.StatsPort}"], s.Cancel);
        Assert.True(ls.ExitCode == 0, ls.Stderr);
        Assert.Contains("KEYS", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("shop.example/api", ls.Stdout, StringComparison.Ordinal);

        // Removed: the router stops sending to it at once (well within the 600 s tolerance); b still serves /api.
        File.Delete(s.VassalPath("a.ini"));
        await EventuallyGetAsync(front, "shop.example", "/", r => r.StartsWith("502", StringComparison.Ordinal), s.Cancel);
        Assert.StartsWith("200 b", await GetAsync(front, "shop.example", "/api", s.Cancel), StringComparison.Ordinal);
        await emperor.WaitForLineAsync("unsubscribed a.ini: shop.example -> 127.0.0.1:" + subscriptions, EmperorScenario.Prompt, s.Cancel);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 120_000)]
    public Task An_on_demand_app_stays_announced_while_it_sleeps_and_the_routers_first_request_wakes_it() => EmperorScenario.RunAsync("router-ondemand", async s =>
    {
        var app = s.Root.WriteFile("app.py", App);
        var sockets = Directory.CreateDirectory(s.PathOf("od")).FullName;
        var (front, subscriptions) = (FreePort.Tcp(), FreePort.Tcp());
        var emperor = await s.StartEmperorAsync("--emperor-on-demand-directory", sockets);

        // Every vassal of this Emperor is on demand, so the router runs on its own (emperor --http …).
        await using var router = TestProcess.Start(s.Guard, TestPaths.EmperorBinary, ["--http", $"127.0.0.1:{front}", "--http-subscription-server", $"127.0.0.1:{subscriptions}"]);
        await router.WaitForLineAsync(l => l.Text.Contains("subscription server enabled", StringComparison.Ordinal), "the router up", EmperorScenario.Prompt, cancellationToken: s.Cancel);
        s.WriteVassal("lazy.ini", VassalFile.Command($"exec python3 {app} lazy", $"subscribe2 = server=127.0.0.1:{subscriptions},key=lazy.example,proto=http"));

        await emperor.WaitForStatsAsync(
            st => st.Vassal("lazy.ini") is { State: "on-demand" } && st.Raw("lazy.ini", "subscriptions") is { } subs && subs.Contains("\"sleeping\"", StringComparison.Ordinal),
            EmperorScenario.Slow, "lazy.ini asleep and announced", s.Cancel);
        Assert.DoesNotContain(ProcessTree.Children(emperor.Pid), p => ProcessTree.Describe(p).Contains("app.py", StringComparison.Ordinal));

        // The router's first request for it is the connection that wakes it, and that request is answered.
        var answer = await EventuallyGetAsync(front, "lazy.example", "/hello", r => !r.StartsWith("502", StringComparison.Ordinal), s.Cancel);
        Assert.StartsWith("200 lazy ", answer, StringComparison.Ordinal);
        Assert.EndsWith(" /hello", answer, StringComparison.Ordinal);
        var pid = await emperor.WaitForRunningPidAsync("lazy.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Contains($"lazy {pid} ", answer, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    private static async Task<string> ReadAllAsync(int port, CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
        return await reader.ReadToEndAsync(cancel).WaitAsync(EmperorScenario.Slow, cancel);
    }

    private static bool Announced(StatsSnapshot st, string vassal) =>
        st.Raw(vassal, "subscriptions") is { } subs && subs.Contains("\"announced\"", StringComparison.Ordinal);

    /// <summary>
    /// Asks until <paramref name="accept"/> holds: the router vassal and the announce are separate processes and
    /// datagrams, so the first request may come before the router knows the node (it answers 502 then).
    /// </summary>
    private static async Task<string> EventuallyGetAsync(int port, string host, string path, Func<string, bool> accept, CancellationToken cancel)
    {
        var last = string.Empty;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                last = await GetAsync(port, host, path, cancel);
                if (accept(last))
                {
                    return last;
                }
            }
            catch (SocketException e)
            {
                last = e.Message;
            }

            if (clock.Elapsed > EmperorScenario.Slow)
            {
                throw new TimeoutException($"GET {host}{path} through the router: not as expected after {EmperorScenario.Slow} (last answer: {last})");
            }

            await Task.Delay(Wait.PollInterval, cancel);
        }
    }

    /// <summary>One HTTP/1.1 request through the router: "STATUS BODY".</summary>
    private static async Task<string> GetAsync(int port, string host, string path, CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), cancel);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(cancel).WaitAsync(EmperorScenario.Slow, cancel);
        var status = response.Split(' ', 3)[1];
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return status + " " + body;
    }
}
