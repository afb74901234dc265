using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// What the app inherits: exactly fds 0-2, its sockets from 3, and the emperor link(s) right after them, with
/// UWSGI_EMPEROR_FD (and UWSGI_EMPEROR_FD_CONFIG) naming the new numbers. Here the test plays the Emperor.
/// </summary>
public sealed class VassalFdTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task UnderAnEmperor_TheLinkFollowsTheSocketsAndNoStrayFdIsInherited()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fd-link");
        await using var guard = new LeakGuard();
        using var link = SocketPair.Create();
        using var stray = SocketPair.Create();
        guard.WatchFdTarget(link.ChildTarget);
        var ini = box.Ini(["socket = 127.0.0.1:0", $"socket = {box.Combine("s.sock")}", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, link: link, inheritedFds: [stray.ChildFd]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([0, 1, 2, 3, 4, 5], report.InheritedFds);
        Assert.Equal("5", report.Environment["UWSGI_EMPEROR_FD"]);
        Assert.Equal(link.ChildTarget, report.FdTargets[5]);
        Assert.DoesNotContain(stray.ChildTarget, report.FdTargets.Values);
        Assert.DoesNotContain("UWSGI_EMPEROR_FD_CONFIG", report.Environment.Keys);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnderAnEmperor_WithoutSockets_TheLinkIsFd3AndStaleListenVariablesAreDropped()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fd-link-only");
        await using var guard = new LeakGuard();
        using var link = SocketPair.Create();
        var ini = box.Ini(VassalRun.ReportingApp(box.Report));
        await using var app = VassalRun.Start(
            guard,
            ini,
            link: link,
            environment: [new("LISTEN_FDS", "2"), new("LISTEN_PID", "1"), new("LISTEN_FDNAMES", "stale:stale")]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([0, 1, 2, 3], report.InheritedFds);
        Assert.Equal("3", report.Environment["UWSGI_EMPEROR_FD"]);
        Assert.Equal(link.ChildTarget, report.FdTargets[3]);
        Assert.DoesNotContain(report.Environment.Keys, k => k.StartsWith("LISTEN_", StringComparison.Ordinal));
    }

    /// <summary>
    /// A UWSGI_EMPEROR_FD naming an fd that is not open (a program started by a vassal inherits the variable,
    /// not the fd) must not make some other fd of the role the app's "link": the role either refuses with one
    /// line or runs the app with nothing but stdio and its sockets.
    /// </summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task StaleEmperorFdVariable_DoesNotLeakAnotherFdAsTheLink()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fd-stale-link");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["socket = 127.0.0.1:0", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, environment: [new("UWSGI_EMPEROR_FD", "987")]);

        var code = await app.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        if (code == 1)
        {
            Assert.Single(app.StandardErrorLines, l => l.StartsWith("emperor: vassal app.ini: ", StringComparison.Ordinal) && l.Contains("UWSGI_EMPEROR_FD", StringComparison.Ordinal));
            Assert.False(File.Exists(box.Report));
            return;
        }

        Assert.True(code == 0, app.Output);
        var report = ReportFile.Load(box.Report);
        var leaked = report.InheritedFds.Except([0, 1, 2, 3]).Select(fd => $"fd {fd} -> {report.FdTargets[fd]}");
        Assert.True(
            report.InheritedFds.SequenceEqual([0, 1, 2, 3]),
            $"the app inherited more than stdio and its socket: {string.Join(", ", leaked)}; UWSGI_EMPEROR_FD={report.Environment.GetValueOrDefault("UWSGI_EMPEROR_FD")}");
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Standalone_OnlyStdioAndTheSocketsAreInherited()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fd-standalone");
        await using var guard = new LeakGuard();
        using var stray = SocketPair.Create();
        var ini = box.Ini(["socket = 127.0.0.1:0", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, inheritedFds: [stray.ChildFd]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([0, 1, 2, 3], report.InheritedFds);
        Assert.DoesNotContain(stray.ChildTarget, report.FdTargets.Values);
        Assert.DoesNotContain("UWSGI_EMPEROR_FD", report.Environment.Keys);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task PushedConfig_BothLinksFollowTheSockets()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fd-pushed");
        await using var guard = new LeakGuard();
        using var link = SocketPair.Create();
        using var config = SocketPair.Create();
        var text = "[uwsgi]\nsocket = 127.0.0.1:0\n" + string.Concat(VassalRun.ReportingApp(box.Report).Select(l => l + "\n"));
        var body = Encoding.UTF8.GetBytes(text);
        var frame = new byte[4 + body.Length];
        frame[0] = 115;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(1), (ushort)body.Length);
        body.CopyTo(frame, 4);
        _ = config.Parent.Send(frame);

        await using var app = VassalRun.Start(
            guard,
            ini: "",
            link: link,
            environment: [new("UWSGI_EMPEROR_FD_CONFIG", config.ChildFd.ToString(CultureInfo.InvariantCulture))],
            inheritedFds: [config.ChildFd],
            workingDirectory: box.Path,
            arguments: ["--ini", "emperor://pushed.ini"]);
        config.CloseChildEnd();

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal([0, 1, 2, 3, 4, 5], report.InheritedFds);
        Assert.Equal(("4", "5"), (report.Environment["UWSGI_EMPEROR_FD"], report.Environment["UWSGI_EMPEROR_FD_CONFIG"]));
        Assert.Equal((link.ChildTarget, config.ChildTarget), (report.FdTargets[4], report.FdTargets[5]));
        Assert.Equal([TestPaths.TestVassalBinary, "--ini", "emperor://pushed.ini"], report.Argv);
    }
}
