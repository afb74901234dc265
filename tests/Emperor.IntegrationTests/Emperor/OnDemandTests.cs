using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// On-demand vassals (issue #13 §3, spec §13.2): nothing runs until the first connection; the connection is served
/// by the vassal it woke; after byte 22 the Emperor waits again on the same socket. Our vassal role gets the socket
/// as LISTEN_FDS, a real uWSGI vassal as fd 0.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class OnDemandTests
{
    [Fact(Timeout = 90_000)]
    public Task FirstConnection_StartsTheVassal_Byte22_PutsItBackToSleep_OnTheSameSocket() => EmperorScenario.RunAsync("ondemand", async s =>
    {
        var sockets = Directory.CreateDirectory(s.PathOf("od")).FullName;
        var script = s.Root.WriteFile("idle.py", """
            import os, socket
            s = socket.socket(fileno=3)
            assert os.environ["LISTEN_FDS"] == "1"
            c, _ = s.accept()
            c.sendall(("%d\n" % os.getpid()).encode())
            c.close()
            link = int(os.environ["UWSGI_EMPEROR_FD"])
            os.write(link, bytes([22]))     # idle: put me back to sleep
            os.read(link, 1)                # the stop byte
            """);
        var emperor = await s.StartEmperorAsync("--emperor-on-demand-directory", sockets);
        s.WriteVassal("o.ini", VassalFile.Command($"exec python3 {script}"));
        var path = Path.Combine(sockets, "o.socket");

        var sleeping = await emperor.WaitForStatsAsync(st => st.Vassal("o.ini") is { State: "on-demand" }, EmperorScenario.Prompt, "o.ini sleeping", s.Cancel);
        Assert.True(sleeping.Vassal("o.ini")!.Pid <= 0);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain(ProcessTree.Children(emperor.Pid), p => ProcessTree.Describe(p).Contains("idle.py", StringComparison.Ordinal));

        var first = int.Parse(await AskUnixAsync(path, s.Cancel), System.Globalization.CultureInfo.InvariantCulture);
        await emperor.WaitForLineAsync("vassal o.ini asked to shut down", EmperorScenario.Prompt, s.Cancel);
        await emperor.WaitForStatsAsync(st => st.Vassal("o.ini") is { State: "on-demand" } && !ProcessTree.IsRunning(first), EmperorScenario.Prompt, "o.ini asleep again", s.Cancel);

        var second = int.Parse(await AskUnixAsync(path, s.Cancel), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(first, second);

        File.Delete(s.VassalPath("o.ini"));
        await Wait.UntilAsync(() => !File.Exists(path), EmperorScenario.Prompt, "the on-demand socket removed with its vassal", s.Cancel);
        await emperor.WaitForStatsAsync(st => st.Vassal("o.ini") is null, EmperorScenario.Prompt, "o.ini gone", s.Cancel);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task UwsgiVassal_GetsTheOnDemandSocketAsFdZero_AndServesTheWakingRequest() => EmperorScenario.RunAsync("ondemand-uwsgi", async s =>
    {
        const string Uwsgi = "/usr/bin/uwsgi-core";
        Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
        var port = FreePort.Tcp();
        var app = s.Root.WriteFile("app.py", """
            import os
            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('served by %d' % os.getpid()).encode()]
            """);
        s.Root.WriteFile("vassals/w.ini.socket", $"127.0.0.1:{port}\n");
        var emperor = await s.StartEmperorAsync("--binary-path", Uwsgi, "--emperor-on-demand-extension", ".socket");
        s.WriteVassal("w.ini", $"""
            [uwsgi]
            plugin = python3
            protocol = http
            wsgi-file = {app}
            master = true
            processes = 1
            """);
        await emperor.WaitForStatsAsync(st => st.Vassal("w.ini") is { State: "on-demand" }, EmperorScenario.Prompt, "w.ini sleeping", s.Cancel);

        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, s.Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: x\r\n\r\n"), s.Cancel);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(s.Cancel).WaitAsync(EmperorScenario.Slow, s.Cancel);
        Assert.StartsWith("HTTP/1.0 200 OK", response, StringComparison.Ordinal);
        Assert.Contains("served by ", response, StringComparison.Ordinal);
        var master = await emperor.WaitForRunningPidAsync("w.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Matches("^socket:", ProcessTree.OpenFds(master)[0]);
    }, TestContext.Current.CancellationToken);

    private static async Task<string> AskUnixAsync(string path, CancellationToken cancel)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return (await reader.ReadLineAsync(cancel).AsTask().WaitAsync(EmperorScenario.Slow, cancel))!;
    }
}
