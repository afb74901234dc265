using System.Net.Sockets;
using System.Text;
using Emperor.Core.Monitoring;
using Emperor.Testing;
using Emperor.Unix.FileSystem;
using Emperor.Zmq;

namespace Emperor.Monitors.Tests;

/// <summary>
/// The zmq:// monitor in process, fed by a real libzmq PUSH socket (python3-zmq): the messages of uWSGI's
/// emperor_zeromq define and remove vassals; bad input costs a line, never the socket.
/// </summary>
public sealed class ZmqMonitorTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private readonly LeakGuard _guard = new();
    private readonly TempDir _dir = new("zmq");
    private readonly ListLogger _log = new();
    private int _dirty;

    [Fact(Timeout = 60_000)]
    public async Task Touch_DefinesInlineAndFileVassals_WithOwners_ATouchAgainIsAChange_DestroyRemoves()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(out var endpoint);
        await ZmqPusher.SendAsync(
            _guard,
            endpoint,
            ["touch", "inline.ini", "[uwsgi]\nsocket = :4142\n"],
            ["touch", "file.ini"],
            ["touch", "owned.ini", "[uwsgi]\n", "1000", "1001"]);
        var scan = await ScanUntilAsync(monitor, s => s.Count == 3, "three vassals", ct);
        Assert.Equal("[uwsgi]\nsocket = :4142\n", scan["inline.ini"].InlineConfig);
        Assert.Null(scan["inline.ini"].Path);
        Assert.Null(scan["file.ini"].InlineConfig);
        Assert.Equal(_dir.Combine("file.ini"), scan["file.ini"].Path);
        Assert.Equal((1000, 1001), (scan["owned.ini"].Uid, scan["owned.ini"].Gid));
        Assert.Equal((0, 0), (scan["inline.ini"].Uid, scan["inline.ini"].Gid));
        Assert.True(Volatile.Read(ref _dirty) > 0, "the monitor never asked the loop for a scan");

        // The same config again is still a touch: uWSGI reloads on it, so must we.
        var before = scan["inline.ini"].ModifiedNs;
        await ZmqPusher.SendAsync(_guard, endpoint, ["touch", "inline.ini", "[uwsgi]\nsocket = :4142\n"], ["destroy", "file.ini"]);
        scan = await ScanUntilAsync(monitor, s => !s.ContainsKey("file.ini"), "file.ini to be destroyed", ct);
        Assert.True(scan["inline.ini"].ModifiedNs > before, "a repeated touch did not change the modification stamp");
        Assert.Equal(2, scan.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task BadMessages_AreRefusedWithOneLineEach_AndTheSocketGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(out var endpoint);
        await ZmqPusher.SendAsync(
            _guard,
            endpoint,
            ["touch"],
            ["frobnicate", "x.ini"],
            ["touch", "noext"],
            ["touch", "u.ini", "[uwsgi]\n", "12ab"],
            ["destroy", "never.ini"],
            ["touch", "ok.ini", "[uwsgi]\n"]);
        await ScanUntilAsync(monitor, s => s.ContainsKey("ok.ini"), "ok.ini after the bad messages", ct);
        var text = _log.ToString();
        Assert.Contains("bad message received (command and instance name required)", text, StringComparison.Ordinal);
        Assert.Single(monitor.Scan()!);

        // One line a minute per peer: the first bad message is said, the rest are counted for the next line.
        Assert.Single(_log.Lines, l => !l.Contains("PULL socket bound", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task ABadMessageFlood_CostsOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(out var endpoint);
        var flood = Enumerable.Range(0, 300).Select(i => new[] { "nonsense", $"v{i}.ini" }).Append(["touch", "last.ini", "[uwsgi]\n"]).ToArray();
        await ZmqPusher.SendAsync(_guard, endpoint, flood);
        await ScanUntilAsync(monitor, s => s.ContainsKey("last.ini"), "the message after the flood", ct);
        Assert.Equal(1, _log.Count("unknown command"));
    }

    [Fact(Timeout = 60_000)]
    public async Task NotZeroMq_OrAPubSocket_LosesItsConnection_WithAReason_OthersStillWork()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(out var endpoint);
        var port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using (var http = new TcpClient())
        {
            await http.ConnectAsync("127.0.0.1", port, ct);
            await http.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), ct);
            var buffer = new byte[256];

            // The monitor answers with its greeting, then closes on ours.
            while (await http.GetStream().ReadAsync(buffer, ct) > 0)
            {
            }
        }

        await Wait.UntilAsync(() => _log.Count("not a ZMTP 3 peer") == 1, s_deadline, "the refusal of a non-ZeroMQ peer", ct);

        await using (var pub = TestProcess.Start(_guard, ZmqPusher.Python, ["-c", $"import zmq,time\ns=zmq.Context().socket(zmq.PUB)\ns.connect('{endpoint}')\ntime.sleep(30)"]))
        {
            await Wait.UntilAsync(() => _log.Count("a PUB socket connected") == 1, s_deadline, "the refusal of a PUB peer", ct);
            pub.Kill();
        }

        await ZmqPusher.SendAsync(_guard, endpoint, ["touch", "after.ini", "[uwsgi]\n"]);
        await ScanUntilAsync(monitor, s => s.ContainsKey("after.ini"), "a good peer after the bad ones", ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task IpcEndpoint_ReplacesAStaleSocket_AndRemovesItsFileAtTheEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = _dir.Combine("emperor.sock");

        // Left behind by a dead process (a .NET socket would delete its file when disposed).
        await using (var dead = TestProcess.Start(_guard, ZmqPusher.Python, ["-c", $"import socket\nsocket.socket(socket.AF_UNIX).bind('{path}')"]))
        {
            Assert.Equal(0, await dead.WaitForExitAndOutputAsync(s_deadline, ct));
        }

        Assert.True(IsSocket(path));
        using (var monitor = Create("zmq://ipc://" + path))
        {
            monitor.Start(() => Interlocked.Increment(ref _dirty));
            await ZmqPusher.SendAsync(_guard, "ipc://" + path, ["touch", "ipc.ini", "[uwsgi]\n"]);
            await ScanUntilAsync(monitor, s => s.ContainsKey("ipc.ini"), "a vassal over ipc://", ct);
        }

        Assert.False(UnixFileSystem.Instance.TryStat(path, follow: false, out _, out _), "the socket file outlived the monitor");

        // A regular file in the way is never deleted.
        File.WriteAllText(path, "precious");
        Assert.Null(ZmqMonitor.Create("zmq://ipc://" + path, Options(), UnixFileSystem.Instance, _log, TimeProvider.System, out var error));
        Assert.Contains("exists and is not a socket", error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("zmq://tcp://127.0.0.1", "tcp:// needs HOST:PORT")]
    [InlineData("zmq://tcp://127.0.0.1:70000", "is not a TCP port")]
    [InlineData("zmq://tcp://no-such-interface:5252", "neither an IP address")]
    [InlineData("zmq://pgm://eth0;239.192.1.1:5555", "must be tcp://HOST:PORT or ipc://PATH")]
    [InlineData("zmq://ipc://", "ipc:// needs a path")]
    public void UnusableEndpoints_AreRefusedWithAReason(string argument, string reason)
    {
        Assert.Null(ZmqMonitor.Create(argument, Options(), UnixFileSystem.Instance, _log, TimeProvider.System, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void APortInUse_IsRefusedAtCreation()
    {
        using var busy = new TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        Assert.Null(ZmqMonitor.Create($"zmq://tcp://127.0.0.1:{port}", Options(), UnixFileSystem.Instance, _log, TimeProvider.System, out var error));
        Assert.Contains("cannot bind", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _guard.Dispose();
        _dir.Dispose();
    }

    private static bool IsSocket(string path) =>
        UnixFileSystem.Instance.TryStat(path, follow: false, out var st, out _) && st.Kind == Emperor.Core.Abstractions.FileKind.Socket;

    private ZmqMonitorOptions Options() => new() { WorkingDirectory = _dir.Path };

    private ZmqMonitor Create(string argument) =>
        ZmqMonitor.Create(argument, Options(), UnixFileSystem.Instance, _log, TimeProvider.System, out var error)
        ?? throw new InvalidOperationException(error);

    private ZmqMonitor Start(out string endpoint)
    {
        var monitor = Create("zmq://tcp://127.0.0.1:*");
        monitor.Start(() => Interlocked.Increment(ref _dirty));
        endpoint = "tcp://" + monitor.BoundAddress;
        return monitor;
    }

    private static async Task<Dictionary<string, SourceEntry>> ScanUntilAsync(ZmqMonitor monitor, Func<Dictionary<string, SourceEntry>, bool> condition, string what, CancellationToken ct)
    {
        Dictionary<string, SourceEntry>? scan = null;
        await Wait.UntilAsync(() => condition(scan = monitor.Scan()!), s_deadline, what, ct);
        return scan!;
    }
}
