using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// Configs arrive inline: a row's vassal starts as <c>--ini emperor://NAME</c> and reads its config from
/// <c>UWSGI_EMPEROR_FD_CONFIG</c> (spec §7.3) — our vassal role (whole, beyond uWSGI's 64 KiB) and real uWSGI.
/// </summary>
public sealed class InlineConfigTests(PostgresCluster cluster)
{
    private const string Uwsgi = "/usr/bin/uwsgi-core";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task ConfigOverSixtyFourKiB_ReachesOurVassalRoleWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster);
        var marker = fleet.Dir.Combine("tail.txt");
        var tail = "tail-" + Guid.NewGuid().ToString("N");
        var config = new StringBuilder("[uwsgi]\n");
        var line = 0;
        while (config.Length < 100 * 1024)
        {
            config.Append(CultureInfo.InvariantCulture, $"; padding line {line++} to carry this config past the 64 KiB a uWSGI frame can say\n");
        }

        // The option that proves the end arrived comes last.
        config.Append(CultureInfo.InvariantCulture, $"env = PG_TAIL={tail}\n");
        config.Append(CultureInfo.InvariantCulture, $"unprivileged-binary-patch-arg = exec sh -c 'echo \"$PG_TAIL\" > {marker}; exec sleep 600'\n");
        var text = config.ToString();
        Assert.True(Encoding.UTF8.GetByteCount(text) > 65535);

        var alpha = await fleet.StartEmperorAsync("alpha");
        await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ('alpha', 'big.ini', $1)", text);
        await alpha.WaitForRunningAsync("big.ini", s_deadline);

        // The config exists only in the database: the marker's text came through the pushed frame, to its last line.
        await Wait.UntilAsync(() => File.Exists(marker) && File.ReadAllText(marker).Trim() == tail, s_deadline, "the vassal to write the tail marker", ct);
    }

    [Fact(Timeout = 90_000)]
    public async Task RealUwsgiWsgiVassal_DefinedByARow_ServesHttp_ReloadsInPlaceOnUpdate_StopsWhenTheRowGoes()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
        await using var fleet = await Fleet.CreateAsync(cluster);
        var port = FreePort.Tcp();
        var app = fleet.Dir.WriteFile("app.py", """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('hello from postgres %s, worker %d' % (os.environ.get('GREETING'), os.getpid())).encode()]
            """);

        // uWSGI reads one frame of at most 64 KiB: a small config.
        string Config(string greeting) => $"""
            [uwsgi]
            env = GREETING={greeting}
            plugin = python3
            http-socket = 127.0.0.1:{port}
            wsgi-file = {app}
            master = true
            processes = 1
            """;
        var alpha = await fleet.StartEmperorAsync("alpha", null, "--binary-path", Uwsgi);
        await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ('alpha', 'w.ini', $1)", Config("v1"));
        var master = await alpha.WaitForRunningAsync("w.ini", s_deadline);
        string? answer = null;
        await Wait.UntilAsync(() => (answer = TryGet(port)) is not null, s_deadline, $"the WSGI app on port {port} to answer", ct);
        Assert.StartsWith("hello from postgres v1, worker ", answer, StringComparison.Ordinal);
        await Wait.UntilAsync(() => alpha.Contains("vassal w.ini is ready to accept requests"), s_deadline, "uWSGI's accepting byte (5)", ct);

        // UPDATE: the reload byte; the master asks for its config again (byte 2) as it re-execs, and gets the new one.
        await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE name = 'w.ini'", Config("v2"));
        await Wait.UntilAsync(() => (answer = TryGet(port)) is { } a && a.StartsWith("hello from postgres v2", StringComparison.Ordinal), s_deadline, "the reloaded app to answer with the new config", ct);
        Assert.Equal(master, await alpha.WaitForRunningAsync("w.ini", s_deadline));
        Assert.False(alpha.Contains("error waiting for config header"), $"the re-executed master got no config.{alpha.Tail()}");
        Assert.False(alpha.Contains("vassal w.ini (pid"), $"the vassal died instead of reloading.{alpha.Tail()}");

        await fleet.ExecuteAsync("DELETE FROM vassals WHERE name = 'w.ini'");
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(master), s_deadline, "the uWSGI master to exit", ct);
        await Wait.UntilAsync(() => TryGet(port) is null, s_deadline, $"port {port} to close", ct);
        await alpha.WaitForGoneAsync("w.ini", s_deadline);
    }

    private static string? TryGet(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            client.ReceiveTimeout = 2000;
            using var stream = client.GetStream();
            stream.Write("GET / HTTP/1.0\r\nHost: x\r\n\r\n"u8);
            using var reader = new StreamReader(stream);
            var response = reader.ReadToEnd();
            var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0 ? response[(body + 4)..] : null;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }
}
