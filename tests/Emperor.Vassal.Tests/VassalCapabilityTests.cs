using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary><c>cap = LIST</c> (issue #15 §2): kept across the uid drop and the exec, through the ambient set.</summary>
public sealed class VassalCapabilityTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task CapNetBindService_LetsAUid1000ProgramBindPort80()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("cap-bind");
        await using var guard = new LeakGuard();
        var port = FreePrivilegedPort();
        var ini = box.WriteIni("app.ini", "uid = 1000", "gid = 1000", "cap = net_bind_service", $"unprivileged-binary-patch = {BindingApp(box, port)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAsync(run, box, cancel);

        Assert.Equal("1000", report["uid"]);
        Assert.Equal("ok", report["bind"]);
        Assert.Equal("0000000000000400", report["capamb"]); // bit 10, and nothing else
        Assert.Equal("0000000000000400", report["capeff"]);
    }

    /// <summary>The control: the same program without cap cannot bind the port.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task WithoutCap_AUid1000ProgramCannotBindPort80()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("cap-none");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "uid = 1000", "gid = 1000", $"unprivileged-binary-patch = {BindingApp(box, FreePrivilegedPort())}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAsync(run, box, cancel);

        Assert.Equal("denied", report["bind"]);
        Assert.Equal("0000000000000000", report["capeff"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task SeveralCapabilities_ByNameAndNumber_AreExactlyTheSets()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("cap-list");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "uid = 65534", "gid = 65534", "cap = net_bind_service,sys_nice,13", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var report = await ReportAsync(run, box, cancel);

        var expected = ((1L << 10) | (1L << 23) | (1L << 13)).ToString("x16", CultureInfo.InvariantCulture);
        Assert.Equal(expected, report["capamb"]);
        Assert.Equal(expected, report["capeff"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownCapability_OneLineNamingFileAndLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("cap-unknown");
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", "uid = 1000", "cap = net_bind_servce", $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(
            run,
            $"emperor: vassal app.ini: {ini}:3: cap = net_bind_servce: unknown capability \"net_bind_servce\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)",
            cancel);
    }

    private static string BindingApp(Sandbox box, int port) =>
        ScriptApp.Write(
            box,
            extra: $"/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", {port}))' 2>/dev/null && echo bind=ok || echo bind=denied");

    private static async Task<Dictionary<string, string>> ReportAsync(TestProcess run, Sandbox box, CancellationToken cancel)
    {
        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);
        Assert.True(code == 0, $"expected exit 0, got {code}\n{run.Output}");
        return ScriptApp.TryRead(box.Report) ?? throw new InvalidOperationException($"no report\n{run.Output}");
    }

    /// <summary>Port 80, or the next privileged port nothing listens on (bound and released by this root process).</summary>
    private static int FreePrivilegedPort()
    {
        for (var port = 80; port < 1024; port++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("every port from 80 to 1023 is taken on 127.0.0.1");
    }
}
