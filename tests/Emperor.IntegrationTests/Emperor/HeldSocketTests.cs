using System.Net;
using System.Net.Sockets;
using System.Text;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// Sockets the Emperor holds for the vassals its vassal role runs (issue #13 §1): bound once, kept across kill -9,
/// crashes and the blacklist (a client connecting meanwhile waits in the backlog instead of being refused), rebound
/// only where a socket line changed, closed when the config goes away. The app is a small Python server on the
/// passed socket (LISTEN_FDS) that answers every connection with its pid.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class HeldSocketTests
{
    private const string Server = """
        import os, socket, sys
        if os.path.exists(sys.argv[1]):
            sys.exit(1)
        assert os.environ["LISTEN_FDS"] == "1", os.environ.get("LISTEN_FDS")
        s = socket.socket(fileno=3)
        while True:
            c, _ = s.accept()
            c.sendall(("%d %s\n" % (os.getpid(), os.environ["LISTEN_FDNAMES"])).encode())
            c.close()
        """;

    [Fact(Timeout = 90_000)]
    public Task HeldTcpSocket_SurvivesKillNineAndTheBlacklist_AndClosesWithTheConfig() => EmperorScenario.RunAsync("held-tcp", async s =>
    {
        var port = FreePort.Tcp();
        var crash = s.PathOf("crash");
        var script = s.PathOf("server.py");
        File.WriteAllText(script, Server);
        var emperor = await s.StartEmperorAsync("--emperor-throttle", "3000");
        s.WriteVassal("a.ini", VassalFile.Command($"exec python3 {script} {crash}", $"http-socket = 127.0.0.1:{port}"));
        var first = await emperor.WaitForRunningPidAsync("a.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal($"{first} http", await AskAsync(port, s.Cancel));
        var emperorHolds = ListeningInodes(emperor.Pid, port);
        Assert.Single(emperorHolds);

        // The next instance crashes at once: the vassal is blacklisted for 3 s. A client connecting in that gap
        // is queued on the Emperor's socket, not refused, and is answered by the instance after the blacklist.
        File.WriteAllText(crash, string.Empty);
        Assert.True(ProcessTree.Kill(first, Signals.Sigkill));
        await emperor.WaitForStatsAsync(st => st.Vassal("a.ini") is { State: "waiting", LastExitCode: 1 }, EmperorScenario.Slow, "a.ini blacklisted after its crash", s.Cancel);
        using var queued = new TcpClient();
        await queued.ConnectAsync(IPAddress.Loopback, port, s.Cancel); // accepted by the kernel: the socket is still listening
        File.Delete(crash);
        var answer = await ReadLineAsync(queued, s.Cancel);
        var third = await emperor.WaitForRunningPidAsync("a.ini", EmperorScenario.Slow, pid => pid != first, s.Cancel);
        Assert.Equal($"{third} http", answer);
        Assert.Equal(emperorHolds, ListeningInodes(emperor.Pid, port)); // the very same socket, never rebound

        File.Delete(s.VassalPath("a.ini"));
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(third), EmperorScenario.Prompt, "the removed vassal gone", s.Cancel);
        await Wait.UntilAsync(() => ListeningInodes(emperor.Pid, port).Count == 0, EmperorScenario.Prompt, "the Emperor's socket closed", s.Cancel);
        var refused = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, port, s.Cancel);
        });
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task ChangedSocketLine_RebindsOnlyWhatChanged_AndUnixSocketFileGoesWithTheConfig() => EmperorScenario.RunAsync("held-change", async s =>
    {
        var port1 = FreePort.Tcp();
        var port2 = FreePort.Tcp();
        var path = s.PathOf("app.sock");
        var script = s.PathOf("server.py").Replace("server.py", "multi.py", StringComparison.Ordinal);
        File.WriteAllText(script, """
            import os, socket, threading
            n = int(os.environ["LISTEN_FDS"])
            def serve(fd):
                s = socket.socket(fileno=fd)
                while True:
                    c, _ = s.accept()
                    c.sendall(("%d\n" % os.getpid()).encode())
                    c.close()
            for fd in range(3, 3 + n):
                threading.Thread(target=serve, args=(fd,)).start()
            """);
        var emperor = await s.StartEmperorAsync();
        string Config(int port) => VassalFile.Command($"exec python3 {script}", $"socket = 127.0.0.1:{port}", $"socket = {path}", "chmod-socket = 660");
        s.WriteVassal("m.ini", Config(port1));
        var first = await emperor.WaitForRunningPidAsync("m.ini", EmperorScenario.Prompt, s.Cancel);
        Assert.Equal($"{first}", await AskAsync(port1, s.Cancel));
        Assert.Equal($"{first}", await AskUnixAsync(path, s.Cancel));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
        var unixInode = UnixListenerInode(path);
        Assert.NotNull(unixInode);

        s.WriteVassal("m.ini", Config(port2));
        var second = await emperor.WaitForRunningPidAsync("m.ini", EmperorScenario.Prompt, pid => pid != first, s.Cancel);
        Assert.Equal($"{second}", await AskAsync(port2, s.Cancel));
        Assert.Equal($"{second}", await AskUnixAsync(path, s.Cancel));
        Assert.Equal(unixInode, UnixListenerInode(path)); // the unchanged line kept its socket
        await Assert.ThrowsAsync<SocketException>(async () => await AskAsync(port1, s.Cancel));

        File.Delete(s.VassalPath("m.ini"));
        await Wait.UntilAsync(() => !File.Exists(path) && !ProcessTree.IsRunning(second), EmperorScenario.Prompt, "socket file removed with the vassal", s.Cancel);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task BindFailure_IsOneLine_NoSpawn_UntilTheFileChanges() => EmperorScenario.RunAsync("held-bindfail", async s =>
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var emperor = await s.StartEmperorAsync("--emperor-throttle", "100");
        s.WriteVassal("b.ini", VassalFile.Command("exec sleep 100203", $"socket = 127.0.0.1:{taken}"));
        var line = await emperor.WaitForLineAsync($"b.ini: not started: line 2: cannot bind socket 127.0.0.1:{taken}", EmperorScenario.Prompt, s.Cancel); // the file, the line, the address, the errno
        Assert.Contains("in use", line.Text, StringComparison.OrdinalIgnoreCase);
        await emperor.WaitForMoreScansAsync(2, EmperorScenario.Prompt, s.Cancel);
        var stats = await emperor.StatsAsync(s.Cancel);
        Assert.Equal(("exiled", -1), (stats.Vassal("b.ini")!.State, stats.Vassal("b.ini")!.Pid)); // uWSGI's pid for "no process"
        Assert.Single(emperor.LinesContaining("b.ini: not started"));

        var free = FreePort.Tcp();
        s.WriteVassal("b.ini", VassalFile.Command("exec sleep 100203", $"socket = 127.0.0.1:{free}"));
        await emperor.WaitForRunningPidAsync("b.ini", EmperorScenario.Prompt, s.Cancel);
    }, TestContext.Current.CancellationToken);

    private static async Task<string> AskAsync(int port, CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        return await ReadLineAsync(client, cancel);
    }

    private static async Task<string> AskUnixAsync(string path, CancellationToken cancel)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return (await reader.ReadLineAsync(cancel))!;
    }

    private static async Task<string> ReadLineAsync(TcpClient client, CancellationToken cancel)
    {
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII, leaveOpen: true);
        return (await reader.ReadLineAsync(cancel).AsTask().WaitAsync(EmperorScenario.Slow, cancel))!;
    }

    /// <summary>The socket inode of the listening UNIX socket bound at <paramref name="path"/> (/proc/net/unix), or null.</summary>
    private static string? UnixListenerInode(string path) =>
        File.ReadLines("/proc/net/unix").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(f => f.Length >= 8 && f[7] == path && f[3] == "00010000")?[6];

    /// <summary>Socket inodes of the TCP sockets listening on <paramref name="port"/> among a process's fds (/proc/net/tcp state 0A).</summary>
    private static List<string> ListeningInodes(int pid, int port)
    {
        var hexPort = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var listening = File.ReadLines("/proc/net/tcp").Skip(1).Concat(File.ReadLines("/proc/net/tcp6").Skip(1))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[3] == "0A" && f[1].EndsWith(hexPort, StringComparison.Ordinal))
            .Select(f => f[9])
            .ToHashSet(StringComparer.Ordinal);
        return ProcessTree.OpenFds(pid).Values
            .Where(t => t.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(t => t["socket:[".Length..^1])
            .Where(listening.Contains)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
