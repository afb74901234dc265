using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// socket / http-socket / uwsgi-socket / shared-socket: bound by the vassal role while privileged and handed to
/// the app at fds 3.. with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES (systemd socket passing).
/// </summary>
public sealed class VassalSocketTests
{
    private static readonly IReadOnlyList<int> s_stdio = [0, 1, 2];

    [Fact(Timeout = Deadlines.Test)]
    public async Task TcpIpv4_OnAFreePort_IsTheAppsFd3AndTheKernelQueuesAConnectionOnIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-tcp4");
        await using var guard = new LeakGuard();
        var port = FreePort.Tcp(IPAddress.Loopback);
        var ini = box.Ini([$"socket = 127.0.0.1:{port}", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        Assert.Equal(app.Pid, report.Pid); // the role execs the app in place
        Assert.Equal([.. s_stdio, 3], report.InheritedFds);
        AssertListenEnvironment(report, "1", "socket");
        var listener = Ports.Listener(Ports.Inet, port) ?? throw new InvalidOperationException($"nothing listens on port {port}");
        Assert.Equal($"socket:[{listener.Inode}]", report.FdTargets[3]);
        Assert.Equal(100u, listener.SendQueue); // uWSGI's default listen backlog

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancel);
        await Wait.UntilAsync(() => Ports.Listener(Ports.Inet, port)?.RecvQueue == 1, Deadlines.Child, "the connection to wait in the app's accept queue", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task TcpIpv6_Loopback_IsTheAppsFd3AndAcceptsAConnection()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-tcp6");
        await using var guard = new LeakGuard();
        var port = FreePort.Tcp(IPAddress.IPv6Loopback);
        var ini = box.Ini([$"http-socket = [::1]:{port}", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        Assert.Equal([.. s_stdio, 3], report.InheritedFds);
        AssertListenEnvironment(report, "1", "http");
        var listener = Ports.Listener(Ports.Inet6, port) ?? throw new InvalidOperationException($"nothing listens on [::1]:{port}");
        Assert.Equal($"socket:[{listener.Inode}]", report.FdTargets[3]);
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), cancel);
        await Wait.UntilAsync(() => Ports.Listener(Ports.Inet6, port)?.RecvQueue == 1, Deadlines.Child, "the connection to wait in the app's accept queue", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnixPath_WithChmodAndChownSocket_IsCreatedWithThatModeAndOwnerAndAcceptsAConnection()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-unix");
        await using var guard = new LeakGuard();
        var path = box.Combine("app.sock");
        var ini = box.Ini([$"uwsgi-socket = {path}", "chmod-socket = 660", "chown-socket = nobody:nogroup", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        Assert.Equal([.. s_stdio, 3], report.InheritedFds);
        AssertListenEnvironment(report, "1", "uwsgi");
        Assert.Equal(path, UnixSockets.BoundName(UnixSockets.InodeOf(report.FdTargets[3])));
        var (uid, gid, mode) = Native.Stat(path);
        Assert.Equal("140660", Convert.ToString(mode, 8)); // S_IFSOCK | 0660
        Assert.Equal((65534u, 65534u), (uid, gid));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AbstractName_IsBoundWithoutAFileAndAcceptsAConnection()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-abstract");
        await using var guard = new LeakGuard();
        var name = "emperor-test-" + Guid.NewGuid().ToString("N")[..12];
        var ini = box.Ini([$"shared-socket = @{name}", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        Assert.Equal([.. s_stdio, 3], report.InheritedFds);
        AssertListenEnvironment(report, "1", "shared");
        Assert.Equal("@" + name, UnixSockets.BoundName(UnixSockets.InodeOf(report.FdTargets[3])));
        Assert.False(File.Exists(name) || File.Exists(Path.Combine(box.Path, name)));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint("\0" + name), cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task TwoSockets_AreFds3And4InConfigOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-two");
        await using var guard = new LeakGuard();
        var port = FreePort.Tcp(IPAddress.Loopback);
        var path = box.Combine("second.sock");
        var ini = box.Ini([$"socket = 127.0.0.1:{port}", $"socket = {path}", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        Assert.Equal([.. s_stdio, 3, 4], report.InheritedFds);
        AssertListenEnvironment(report, "2", "socket:socket");
        Assert.Equal($"socket:[{Ports.Listener(Ports.Inet, port)?.Inode}]", report.FdTargets[3]);
        Assert.Equal(path, UnixSockets.BoundName(UnixSockets.InodeOf(report.FdTargets[4])));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task EveryKindOfSocketOption_GetsItsFdNameInOrder()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-kinds");
        await using var guard = new LeakGuard();
        var abstractName = "emperor-test-" + Guid.NewGuid().ToString("N")[..12];
        var ini = box.Ini(
        [
            "socket = 127.0.0.1:0",
            "http-socket = [::1]:0",
            $"uwsgi-socket = {box.Combine("u.sock")}",
            $"shared-socket = @{abstractName}",
            .. VassalRun.ReportingApp(box.Report),
        ]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([.. s_stdio, 3, 4, 5, 6], report.InheritedFds);
        AssertListenEnvironment(report, "4", "socket:http:uwsgi:shared");
        Assert.All([3, 4, 5, 6], fd => Assert.StartsWith("socket:[", report.FdTargets[fd], StringComparison.Ordinal));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Listen_SetsTheBacklogOfEverySocket()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("sock-listen");
        await using var guard = new LeakGuard();
        var port = FreePort.Tcp(IPAddress.Loopback);
        var ini = box.Ini([$"socket = 127.0.0.1:{port}", "listen = 7", .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportWhileRunningAsync(app, box.Report, cancel);

        var listener = Ports.Listener(Ports.Inet, port) ?? throw new InvalidOperationException($"nothing listens on port {port}");
        Assert.Equal($"socket:[{listener.Inode}]", report.FdTargets[3]);
        Assert.Equal(7u, listener.SendQueue);
    }

    private static void AssertListenEnvironment(ReportFile report, string count, string names)
    {
        Assert.Equal(count, report.Environment.GetValueOrDefault("LISTEN_FDS"));
        Assert.Equal(report.Pid.ToString(CultureInfo.InvariantCulture), report.Environment.GetValueOrDefault("LISTEN_PID"));
        Assert.Equal(names, report.Environment.GetValueOrDefault("LISTEN_FDNAMES"));
    }
}
