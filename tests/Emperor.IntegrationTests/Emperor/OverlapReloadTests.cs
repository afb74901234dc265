using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// <c>reload-mode = overlap</c> (issue #13 §2): the new instance starts on the same held socket, the old one is stopped
/// only once the new one said READY=1; a client hammering the port meanwhile sees no failed request. A new instance
/// that dies or is never ready is killed and the old one keeps serving. Never more than two instances; no fd growth.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class OverlapReloadTests
{
    /// <summary>A tiny HTTP/1.0 server on LISTEN_FDS fd 3: warms up 300 ms, says READY=1, stops accepting on SIGTERM.</summary>
    private const string Server = """
        import os, signal, socket, sys, time
        if os.path.exists(sys.argv[1]):
            sys.exit(3)
        if os.path.exists(sys.argv[2]):
            time.sleep(3600)             # never ready
        time.sleep(0.3)
        s = socket.socket(fileno=3)
        n = os.environ["NOTIFY_SOCKET"]
        u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        u.connect("\0" + n[1:] if n.startswith("@") else n)
        u.send(b"READY=1")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
        s.settimeout(0.05)
        while not stopping:
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            body = str(os.getpid()).encode()
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            c.close()
        """;

    [Fact(Timeout = 120_000)]
    public Task OverlapReloads_UnderLoad_FailNoRequest_AndNeverRunMoreThanTwoInstances() => EmperorScenario.RunAsync("overlap", async s =>
    {
        var port = FreePort.Tcp();
        var script = s.Root.WriteFile("server.py", Server);
        var emperor = await s.StartEmperorAsync("--emperor-reload-mode", "overlap", "--reload-mercy", "5");
        var path = s.WriteVassal("o.ini", VassalFile.Command($"exec python3 {script} {s.PathOf("crash")} {s.PathOf("hang")}", $"http-socket = 127.0.0.1:{port}"));
        var pid = await emperor.WaitForRunningPidAsync("o.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal(pid, await GetPidAsync(port, s.Cancel));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(s.Cancel);
        var most = 0;
        var load = Task.Run(() => HammerAsync(port, stop.Token));
        var census = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, ProcessTree.Children(emperor.Pid).Count(p => ProcessTree.Describe(p).Contains("server.py", StringComparison.Ordinal)));
                await Task.Delay(20, CancellationToken.None);
            }
        });

        var pids = new List<int> { pid };
        for (var i = 0; i < 5; i++)
        {
            EmperorScenario.Touch(path);
            pid = await emperor.WaitForRunningPidAsync("o.ini", EmperorScenario.Slow, p => !pids.Contains(p), s.Cancel);
            pids.Add(pid);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(pids[^2]), EmperorScenario.Slow, "the old instance stopped", s.Cancel);
        }

        await stop.CancelAsync();
        var (ok, failed, servedBy) = await load;
        await census;
        TestContext.Current.TestOutputHelper?.WriteLine($"{ok} requests, {failed.Count} failed, served by {string.Join(' ', servedBy)}; at most {most} instances at once");
        Assert.Empty(failed);
        Assert.True(ok > 20, $"only {ok} requests went through");
        Assert.True(servedBy.Count >= 3, "the load saw too few of the instances: " + string.Join(' ', servedBy));
        Assert.InRange(most, 1, 2);
        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Equal("overlap", stats.Raw("o.ini", "reload_mode"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 180_000)]
    public Task AspNetHello_OverlapReloads_FailNoRequest() => EmperorScenario.RunAsync("overlap-aspnet", async s =>
    {
        var app = Path.Combine(TestPaths.RepoRoot, ".build", "bin", "AspNetHello", "debug");
        Assert.True(File.Exists(Path.Combine(app, "AspNetHello.dll")), "examples/apps/AspNetHello is not built (dotnet build Emperor.slnx builds it)");
        var port = FreePort.Tcp();
        var emperor = await s.StartEmperorAsync("--reload-mercy", "30");
        var path = s.WriteVassal("aspnet.ini", VassalFile.Command(
            "exec dotnet AspNetHello.dll",
            $"http-socket = 127.0.0.1:{port}",
            "reload-mode = overlap",
            "env = DOTNET_CLI_TELEMETRY_OPTOUT=1",
            "env = DOTNET_NOLOGO=1",
            $"chdir = {app}"));
        var pid = await emperor.WaitForRunningPidAsync("aspnet.ini", EmperorScenario.Slow, s.Cancel);
        await Wait.UntilAsync(() => TryGetPid(port) == pid, EmperorScenario.Slow, "AspNetHello serving", s.Cancel);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(s.Cancel);
        var load = Task.Run(() => HammerAsync(port, stop.Token));
        var pids = new List<int> { pid };
        for (var i = 0; i < 3; i++)
        {
            EmperorScenario.Touch(path);
            pid = await emperor.WaitForRunningPidAsync("aspnet.ini", TimeSpan.FromSeconds(40), p => !pids.Contains(p), s.Cancel);
            pids.Add(pid);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(pids[^2]), TimeSpan.FromSeconds(40), "the old instance drained and stopped", s.Cancel);
        }

        await stop.CancelAsync();
        var (ok, failed, servedBy) = await load;
        TestContext.Current.TestOutputHelper?.WriteLine($"{ok} requests, {failed.Count} failed, served by {string.Join(' ', servedBy)}");
        Assert.Empty(failed);
        Assert.True(servedBy.Count >= 3, "the load saw too few of the instances: " + string.Join(' ', servedBy));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 120_000)]
    public Task FailedOverlapReload_KillsTheNewInstance_AndTheOldOneKeepsServing() => EmperorScenario.RunAsync("overlap-fail", async s =>
    {
        var port = FreePort.Tcp();
        var script = s.Root.WriteFile("server.py", Server);
        var crash = s.PathOf("crash");
        var hang = s.PathOf("hang");
        var emperor = await s.StartEmperorAsync();
        var path = s.WriteVassal("f.ini", VassalFile.Command($"exec python3 {script} {crash} {hang}", $"http-socket = 127.0.0.1:{port}", "reload-mode = overlap", "ready-timeout = 2"));
        var pid = await emperor.WaitForRunningPidAsync("f.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal(pid, await GetPidAsync(port, s.Cancel)); // up and past its start-up checks

        // The new instance dies at once: one line, the old one serves on.
        File.WriteAllText(crash, string.Empty);
        EmperorScenario.Touch(path);
        var died = await emperor.WaitForLineAsync("reload of f.ini failed: the new instance", EmperorScenario.Slow, s.Cancel);
        Assert.Contains("died before it was ready (exit code 3)", died.Text, StringComparison.Ordinal);
        Assert.Equal(pid, await GetPidAsync(port, s.Cancel));
        Assert.StartsWith("reload failed: ", (await emperor.StatsAsync(s.Cancel)).Raw("f.ini", "reload_failed"), StringComparison.Ordinal);

        // The new instance never becomes ready: killed after ready-timeout, the old one serves on.
        File.Delete(crash);
        File.WriteAllText(hang, string.Empty);
        var mark = emperor.Mark();
        EmperorScenario.Touch(path);
        var timedOut = await emperor.WaitForLineAsync("was not ready within 2 s", EmperorScenario.Slow, mark, s.Cancel);
        Assert.Contains($"the old instance (pid: {pid}) keeps serving", timedOut.Text, StringComparison.Ordinal);
        await emperor.WaitForStatsAsync(st => st.Raw("f.ini", "new_pid") == "0", EmperorScenario.Slow, "the hung new instance gone", s.Cancel);
        Assert.Equal(pid, await GetPidAsync(port, s.Cancel));
        Assert.Equal(pid, (await emperor.StatsAsync(s.Cancel)).RunningPid("f.ini"));

        // Fixed: the next change swaps instances.
        File.Delete(hang);
        EmperorScenario.Touch(path);
        var next = await emperor.WaitForRunningPidAsync("f.ini", EmperorScenario.Slow, p => p != pid, s.Cancel);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), EmperorScenario.Slow, "the old instance stopped after the swap", s.Cancel);
        Assert.Equal(next, await GetPidAsync(port, s.Cancel));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 240_000)]
    public Task TwoHundredOverlapReloads_LeaveNoFdBehind() => EmperorScenario.RunAsync("overlap-fds", async s =>
    {
        var port = FreePort.Tcp();
        var emperor = await s.StartEmperorAsync("--reload-mercy", "5");
        var command = "exec " + VassalFile.Quote(TestPaths.TestVassalBinary) + " --notify READY=1";
        var path = s.WriteVassal("n.ini", VassalFile.Command(command, $"socket = 127.0.0.1:{port}", "reload-mode = overlap"));
        var pid = await emperor.WaitForRunningPidAsync("n.ini", EmperorScenario.Prompt, s.Cancel);
        await emperor.WaitForStatsAsync(st => st.Vassal("n.ini") is { Ready: 1 }, EmperorScenario.Prompt, "n.ini ready", s.Cancel);
        var fds = emperor.FdCount;
        for (var i = 0; i < 200; i++)
        {
            var old = pid;
            EmperorScenario.Touch(path);
            pid = await emperor.WaitForRunningPidAsync("n.ini", EmperorScenario.Slow, p => p != old, s.Cancel);
            await Wait.UntilAsync(() => !ProcessTree.IsRunning(old), EmperorScenario.Slow, "the old instance gone", s.Cancel);
        }

        await emperor.WaitForStatsAsync(st => st.Raw("n.ini", "reload_phase") == string.Empty, EmperorScenario.Slow, "no reload in progress", s.Cancel);
        TestContext.Current.TestOutputHelper?.WriteLine($"Emperor fds: {fds} before, {emperor.FdCount} after 200 overlap reloads");
        Assert.InRange(emperor.FdCount, 0, fds + 2);
    }, TestContext.Current.CancellationToken);

    private static async Task<int> GetPidAsync(int port, CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        var stream = client.GetStream();
        await stream.WriteAsync("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"u8.ToArray(), cancel);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(cancel).WaitAsync(EmperorScenario.Slow, cancel);
        Assert.Matches(@"^HTTP/1\.[01] 200 ", response); // Kestrel answers 1.1
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].TrimEnd();
        return int.Parse(body[(body.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture); // "PID" or "... pid PID"
    }

    private static int? TryGetPid(int port)
    {
        try
        {
            return GetPidAsync(port, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or IOException or FormatException or TimeoutException or Xunit.Sdk.XunitException)
        {
            return null;
        }
    }

    /// <summary>One request after another, each on a new connection, until cancelled; every failure is kept.</summary>
    private static async Task<(int Ok, List<string> Failed, SortedSet<int> ServedBy)> HammerAsync(int port, CancellationToken stop)
    {
        var ok = 0;
        var failed = new List<string>();
        var servedBy = new SortedSet<int>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                servedBy.Add(await GetPidAsync(port, CancellationToken.None));
                ok++;
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException or TimeoutException or Xunit.Sdk.XunitException)
            {
                failed.Add(e.GetType().Name + ": " + e.Message);
            }
        }

        return (ok, failed, servedBy);
    }
}
