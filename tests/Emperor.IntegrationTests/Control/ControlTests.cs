using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Emperor.IntegrationTests.Emperor;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Control;

/// <summary>
/// Seeing and steering a running Emperor: the stats document against uWSGI's shape, --stats-http, a UNIX stats
/// socket, /metrics as Prometheus text, and the <c>emperor</c> control commands with their errors.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed partial class ControlTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public Task StatsDocument_HasEveryUwsgiKey_WithTheSameJsonType_InTheSameOrder() =>
        EmperorScenario.RunAsync("stats-shape", async s =>
        {
            s.WriteVassal("s.ini", VassalFile.Sleep());
            s.WriteVassal("bad.ini", VassalFile.Command("exit 1"));
            var emperor = await s.StartEmperorAsync();
            await emperor.WaitForStatsAsync(st => st.Blacklist.Count > 0, s_deadline, "bad.ini blacklisted", Cancel);

            using var ours = JsonDocument.Parse(await RawStatsAsync(emperor.StatsPort));
            using var sample = JsonDocument.Parse(File.ReadAllText(SamplePath("uwsgi-stats.json")));
            using var blSample = JsonDocument.Parse(File.ReadAllText(SamplePath("uwsgi-stats-blacklist.json")));

            AssertSameShape(sample.RootElement, ours.RootElement, "top level");
            AssertSameShape(sample.RootElement.GetProperty("vassals")[0], ours.RootElement.GetProperty("vassals")[0], "vassal");
            AssertSameShape(blSample.RootElement.GetProperty("blacklist")[0], ours.RootElement.GetProperty("blacklist")[0], "blacklist entry");
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task StatsDocument_VassalNamesWithQuotesBackslashesNewlinesAndNonAscii_RoundTrip() =>
        EmperorScenario.RunAsync("stats-names", async s =>
        {
            string[] names = ["we\"ird\\name.ini", "new\nline.ini", "tab\tand\u0001ctl.ini", "naïve-日本-🙂.ini"];
            foreach (var n in names)
            {
                s.WriteVassal(n, VassalFile.Sleep());
            }

            var emperor = await s.StartEmperorAsync();
            await emperor.WaitForStatsAsync(st => st.Vassals.Count(v => v.Pid > 0) == names.Length, s_deadline, "all four running", Cancel);
            var raw = await RawStatsAsync(emperor.StatsPort);
            using var doc = JsonDocument.Parse(raw);
            var ids = doc.RootElement.GetProperty("vassals").EnumerateArray().Select(v => v.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal).ToList(), ids);
            Assert.DoesNotContain('\n', raw.Split("\"vassals\"")[1].Split("\"id\"")[1].Split(',')[0]);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task StatsHttp_AnswersWithHttpHeaders_AndAUnixSocketServesTheSameDocument() =>
        EmperorScenario.RunAsync("stats-http", async s =>
        {
            s.WriteVassal("s.ini", VassalFile.Sleep());
            var emperor = await s.StartEmperorAsync("--stats-http");
            await emperor.WaitForLineAsync("vassal s.ini has been spawned", s_deadline, Cancel);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, emperor.StatsPort, Cancel);
                var stream = client.GetStream();
                await stream.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), Cancel);
                var text = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(Cancel);
                Assert.StartsWith("HTTP/1.0 200 OK\r\n", text, StringComparison.Ordinal);
                Assert.Contains("Content-Type: application/json\r\n", text, StringComparison.Ordinal);
                using var doc = JsonDocument.Parse(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
                Assert.Equal("s.ini", doc.RootElement.GetProperty("vassals")[0].GetProperty("id").GetString());
            }

            // A second Emperor on a UNIX stats socket (the last --emperor-stats wins).
            var path = s.PathOf("stats.sock");
            Directory.CreateDirectory(s.PathOf("unix-vassals"));
            s.WriteVassal("u.ini", VassalFile.Sleep(), s.PathOf("unix-vassals"));
            var second = await s.StartEmperorWithAsync(["--emperor", s.PathOf("unix-vassals"), "--emperor-stats", path]);
            await second.WaitForLineAsync("vassal u.ini has been spawned", s_deadline, Cancel);
            using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(path), Cancel);
            using var unixStream = new NetworkStream(unix, ownsSocket: false);
            using var unixDoc = JsonDocument.Parse(await new StreamReader(unixStream).ReadToEndAsync(Cancel));
            Assert.Equal("u.ini", unixDoc.RootElement.GetProperty("vassals")[0].GetProperty("id").GetString());
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task Metrics_EveryLineIsPrometheusText_AndCountsWhatHappened() =>
        EmperorScenario.RunAsync("metrics", async s =>
        {
            s.WriteVassal("a.ini", VassalFile.Sleep());
            s.WriteVassal("b.ini", VassalFile.Sleep());
            var port = FreePort.Tcp();
            var emperor = await s.StartEmperorAsync("--emperor-metrics", $"127.0.0.1:{port}");
            await emperor.WaitForStatsAsync(st => st.Vassals.Count(v => v.Pid > 0) == 2, s_deadline, "both running", Cancel);

            var (status, body) = await HttpGetAsync(port, "/metrics");
            Assert.Equal(200, status);
            var lines = body.TrimEnd('\n').Split('\n');
            foreach (var line in lines)
            {
                Assert.True(PrometheusLine().IsMatch(line), $"not Prometheus text: \"{line}\"");
            }

            var samples = lines.Where(l => !l.StartsWith('#')).ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
            Assert.Equal(2, samples["emperor_vassal_spawns_total"]);
            Assert.Equal(2, samples["emperor_vassals{state=\"running\"}"]);
            Assert.Equal(0, samples["emperor_vassal_heartbeat_timeouts_total"]);
            Assert.True(samples.ContainsKey("emperor_loop_lag"));
            Assert.Contains("# TYPE emperor_vassal_spawns_total counter", lines);

            var (notFound, _) = await HttpGetAsync(port, "/elsewhere");
            Assert.Equal(404, notFound);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 120_000)]
    public Task ControlCommands_SteerTheEmperor_AndFailWithOneClearLine() =>
        EmperorScenario.RunAsync("control", async s =>
        {
            s.WriteVassal("a.ini", VassalFile.Sleep(100101));
            s.WriteVassal("bad.ini", VassalFile.Command("exit 1"));
            var socket = s.PathOf("emperor.sock");
            var emperor = await s.StartEmperorAsync("--emperor-command-socket", socket, "--emperor-throttle", "3000");
            var first = await emperor.WaitForStatsAsync(st => st.Vassals.Any(v => v.Id == "a.ini" && v.Pid > 0), s_deadline, "a.ini running", Cancel);
            var pid = first.Vassals.Single(v => v.Id == "a.ini").Pid;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            var stats = $"127.0.0.1:{emperor.StatsPort}";

            var ls = await CliRun.RunAsync(s.Guard, ["ls", "--stats", stats], Cancel);
            Assert.Equal(0, ls.ExitCode);
            Assert.Contains("a.ini", ls.Stdout, StringComparison.Ordinal);
            Assert.Contains("running", ls.Stdout, StringComparison.Ordinal);

            var json = await CliRun.RunAsync(s.Guard, ["ls", "--stats", stats, "--json"], Cancel);
            using (var doc = JsonDocument.Parse(json.Stdout))
            {
                var a = doc.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "a.ini");
                Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), a.GetProperty("pid").GetString());
            }

            var stop = await CliRun.RunAsync(s.Guard, ["stop", "a.ini", "--socket", socket], Cancel);
            Assert.Equal((0, "stopping a.ini\n"), (stop.ExitCode, stop.Stdout));
            await emperor.WaitForStatsAsync(st => st.Vassals.Single(v => v.Id == "a.ini").State == "held", s_deadline, "a.ini held", Cancel);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), s_deadline, "the stopped vassal gone", Cancel);

            var start = await CliRun.RunAsync(s.Guard, ["start", "a.ini", "--socket", socket], Cancel);
            Assert.Equal(0, start.ExitCode);
            var started = await emperor.WaitForStatsAsync(st => st.Vassals.Single(v => v.Id == "a.ini") is { State: "running", Pid: > 0 }, s_deadline, "a.ini running again", Cancel);
            var pid2 = started.Vassals.Single(v => v.Id == "a.ini").Pid;

            var reload = await CliRun.RunAsync(s.Guard, ["reload", "a.ini", "--socket", socket], Cancel);
            Assert.Equal(0, reload.ExitCode);
            await emperor.WaitForStatsAsync(st => st.Vassals.Single(v => v.Id == "a.ini") is { Pid: > 0 } v && v.Pid != pid2, s_deadline, "a.ini restarted by reload", Cancel);

            Assert.Equal(0, (await CliRun.RunAsync(s.Guard, ["reload", "--all", "--socket", socket], Cancel)).ExitCode);
            Assert.Equal(0, (await CliRun.RunAsync(s.Guard, ["rescan", "--socket", socket], Cancel)).ExitCode);
            var pardon = await CliRun.RunAsync(s.Guard, ["pardon", "--socket", socket], Cancel);
            Assert.Equal(0, pardon.ExitCode);
            Assert.StartsWith("blacklist cleared", pardon.Stdout, StringComparison.Ordinal);

            // Errors: one line on stderr, exit 1.
            await AssertOneErrorLine(s, ["stop", "nosuch.ini", "--socket", socket], "no vassal named \"nosuch.ini\"");
            await AssertOneErrorLine(s, ["start", "a.ini", "--socket", socket], "a.ini is running, not stopped");
            await AssertOneErrorLine(s, ["ls", "--stats", "127.0.0.1:1"], "connection refused");
            await AssertOneErrorLine(s, ["stop", "a.ini", "--socket", s.PathOf("nothing.sock")], "cannot reach the Emperor");
            await AssertOneErrorLine(s, ["reload", "--socket", socket], "reload needs a vassal name or --all");
            var denied = await CliRun.RunAsync(s.Guard, ["stop", "a.ini", "--socket", socket], Cancel, asUser: "65534");
            Assert.Equal(1, denied.ExitCode);
            Assert.Contains("permission denied", denied.Stderr, StringComparison.Ordinal);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public async Task Ls_RendersAStatsDocument_AsTheGoldenTable()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        var document = File.ReadAllText(SamplePath("ls-input.json"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(
            async () =>
            {
                using var client = await listener.AcceptTcpClientAsync(cancel);
                await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(document), cancel);
            },
            cancel);

        var ls = await CliRun.RunAsync(guard, ["ls", "--stats", $"127.0.0.1:{port}"], cancel);
        await serve;
        Assert.Equal(0, ls.ExitCode);
        Assert.Equal(File.ReadAllText(SamplePath("ls-golden.txt")), ls.Stdout);
    }

    private static async Task AssertOneErrorLine(EmperorScenario s, string[] args, string expected)
    {
        var run = await CliRun.RunAsync(s.Guard, args, Cancel);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("emperor: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    /// <summary>Every member the uWSGI sample has is present in ours with the same JSON kind, in the same order.</summary>
    private static void AssertSameShape(JsonElement uwsgi, JsonElement ours, string what)
    {
        var theirs = uwsgi.EnumerateObject().Select(p => p.Name).ToList();
        var mine = ours.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(theirs, mine.Take(theirs.Count).ToList());
        foreach (var p in uwsgi.EnumerateObject())
        {
            var kind = ours.GetProperty(p.Name).ValueKind;
            Assert.True(p.Value.ValueKind == kind, $"{what}.{p.Name}: uWSGI has {p.Value.ValueKind}, ours {kind}");
        }
    }

    private static async Task<string> RawStatsAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Cancel);
        return await new StreamReader(client.GetStream(), Encoding.UTF8).ReadToEndAsync(Cancel);
    }

    private static async Task<(int Status, string Body)> HttpGetAsync(int port, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n"), Cancel);
        var text = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(Cancel);
        var status = int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    private static string SamplePath(string name) =>
        Path.Combine(TestPaths.RepoRoot, "tests", "Emperor.IntegrationTests", "Control", "Samples", name);

    [GeneratedRegex("""^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? -?[0-9.eE+-]+|[a-zA-Z_:][a-zA-Z0-9_:]* (NaN|\+Inf|-Inf))$""")]
    private static partial Regex PrometheusLine();
}
