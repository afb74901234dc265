using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// Real uWSGI as the vassal binary (<c>--binary-path /usr/bin/uwsgi-core</c>): the emperor protocol end to end.
/// uwsgi-core and uwsgi-plugin-python3 are installed by scripts/test.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class UwsgiVassalTests
{
    private const string Uwsgi = "/usr/bin/uwsgi-core";

    [Fact(Timeout = 90_000)]
    public Task WsgiVassal_SpawnServeReloadRespawnStop_LikeUnderUwsgisEmperor() => EmperorScenario.RunAsync("uwsgi", async s =>
    {
        Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
        var port = FreePort.Tcp();
        var app = s.Root.WriteFile("app.py", """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('worker %d' % os.getpid()).encode()]
            """);
        var emperor = await s.StartEmperorAsync("--binary-path", Uwsgi);
        var path = s.WriteVassal("w.ini", $"""
            [uwsgi]
            plugin = python3
            http-socket = 127.0.0.1:{port}
            wsgi-file = {app}
            master = true
            processes = 1
            """);

        // Spawned: the protocol bytes 1 (ready) and 5 (accepting) arrive, and it serves.
        await emperor.WaitForLineAsync(t => t.EndsWith("vassal w.ini has been spawned", StringComparison.Ordinal), "'vassal w.ini has been spawned' (byte 1)", EmperorScenario.Prompt, cancellationToken: s.Cancel);
        await emperor.WaitForLineAsync("vassal w.ini is ready to accept requests", EmperorScenario.Prompt, s.Cancel);
        var master = await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Prompt, s.Cancel);
        var worker = await ServedByAsync(port, s, emperor, _ => true);
        Assert.NotEqual(master, worker);

        // Touch: a graceful reload in place — the master stays, the worker is replaced.
        EmperorScenario.Touch(path);
        var newWorker = await ServedByAsync(port, s, emperor, w => w != worker);
        Assert.True(ProcessTree.IsRunning(master), "the master died on a reload");
        var stats = await emperor.WaitForStatsAsync(x => x.Vassal("w.ini") is { Respawns: >= 1 }, EmperorScenario.Prompt, "w.ini reloaded", s.Cancel);
        Assert.Equal(master, stats.RunningPid("w.ini"));
        Assert.Equal(0, stats.Vassal("w.ini")!.Restarts);

        // kill -9 of the master: a new instance comes up and serves.
        Assert.True(ProcessTree.Kill(master, Signals.Sigkill));
        var newMaster = await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Slow, pid => pid != master, s.Cancel);
        _ = await ServedByAsync(port, s, emperor, w => w != newWorker);
        Assert.NotEqual(master, newMaster);

        // Removal: the instance stops and the port closes.
        File.Delete(path);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(newMaster), EmperorScenario.Prompt, "the uWSGI master to exit after the removal", s.Cancel);
        await Wait.UntilAsync(() => !Accepts(port), EmperorScenario.Prompt, $"port {port} to close", s.Cancel);
        await emperor.WaitForStatsAsync(x => x.Vassal("w.ini") is null, EmperorScenario.Prompt, "w.ini to leave the stats", s.Cancel);
    }, TestContext.Current.CancellationToken);

    /// <summary>GETs / until the app answers from a worker pid that <paramref name="accept"/> takes; returns it.</summary>
    private static async Task<int> ServedByAsync(int port, EmperorScenario s, EmperorProcess emperor, Func<int, bool> accept)
    {
        int? served = null;
        try
        {
            await Wait.UntilAsync(() => (served = TryGet(port)) is { } w && accept(w), EmperorScenario.Slow, $"the app on port {port} to answer (from an acceptable worker)", s.Cancel);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last answer: worker {served?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.{emperor.Tail()}", e);
        }

        return served!.Value;
    }

    /// <summary>One HTTP/1.0 GET on a fresh connection: the worker pid in the body, or null.</summary>
    private static int? TryGet(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.ReceiveTimeout = 2000;
            client.SendTimeout = 2000;
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.Write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"u8);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var response = reader.ReadToEnd();
            var at = response.LastIndexOf("worker ", StringComparison.Ordinal);
            return response.StartsWith("HTTP/1.", StringComparison.Ordinal) && response.Contains(" 200 ", StringComparison.Ordinal) && at >= 0
                && int.TryParse(response[(at + 7)..].Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid)
                ? pid
                : null;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
