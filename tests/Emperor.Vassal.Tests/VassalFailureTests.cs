using System.Net;
using System.Net.Sockets;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>Bad input: exit code 1 and exactly one stderr line, <c>emperor: vassal NAME: what: errno text</c>.</summary>
public sealed class VassalFailureTests
{
    private const string Prefix = "emperor: vassal app.ini: ";

    [Fact(Timeout = Deadlines.Test)]
    public async Task MissingBinary_ByPath() =>
        await AssertFailsAsync(
            "fail-missing",
            ["unprivileged-binary-patch = /nonexistent/app"],
            "unprivileged-binary-patch: cannot execute /nonexistent/app: No such file or directory",
            TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task MissingBinary_ByNameNotOnThePath() =>
        await AssertFailsAsync(
            "fail-missing-name",
            ["unprivileged-binary-patch = emperor-test-no-such-program"],
            "unprivileged-binary-patch emperor-test-no-such-program: No such file or directory",
            TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task MissingPrivilegedBinary() =>
        await AssertFailsAsync(
            "fail-missing-priv",
            ["privileged-binary-patch = /nonexistent/app"],
            "privileged-binary-patch: cannot execute /nonexistent/app: No such file or directory",
            TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task NonExecutableBinary()
    {
        using var box = new Sandbox("fail-noexec");
        var program = box.Dir.WriteFile("app", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(program, (UnixFileMode)Convert.ToInt32("644", 8));
        await AssertFailsAsync(box, [$"unprivileged-binary-patch = {program}"], $"unprivileged-binary-patch: cannot execute {program}: Permission denied", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownUser() =>
        await AssertFailsAsync("fail-user", ["uid = emperor-test-no-such-user", "unprivileged-binary-patch = /bin/true"], "uid emperor-test-no-such-user: no such user", TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownGroup() =>
        await AssertFailsAsync("fail-group", ["gid = emperor-test-no-such-group", "unprivileged-binary-patch = /bin/true"], "gid emperor-test-no-such-group: no such group", TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task UnknownAddGid() =>
        await AssertFailsAsync("fail-addgid", ["uid = nobody", "gid = nogroup", "add-gid = emperor-test-no-such-group", "unprivileged-binary-patch = /bin/true"], "add-gid emperor-test-no-such-group: no such group", TestContext.Current.CancellationToken);

    [Fact(Timeout = Deadlines.Test)]
    public async Task PortInUse()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        await AssertFailsAsync("fail-port", [$"socket = 127.0.0.1:{port}", "unprivileged-binary-patch = /bin/true"], $"cannot bind socket 127.0.0.1:{port}: Address already in use", TestContext.Current.CancellationToken);
    }

    /// <summary>A vassal started as nobody cannot create its socket in a directory only root may write.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task UnwritableSocketPath()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fail-sockpath");
        var rootOnly = Directory.CreateDirectory(box.Combine("root-only")).FullName;
        File.SetUnixFileMode(rootOnly, (UnixFileMode)Convert.ToInt32("755", 8));
        var path = Path.Combine(rootOnly, "app.sock");
        await using var guard = new LeakGuard();
        var ini = box.Ini([$"socket = {path}", "unprivileged-binary-patch = /bin/true"]);
        await using var run = VassalRun.Start(guard, ini, wrapper: ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"]);

        await VassalRun.AssertFailsWithAsync(run, Prefix + $"cannot bind socket {path}: Permission denied", cancel);
    }

    /// <summary>bind() of a path in a missing directory fails with ENOENT, and the line must say so.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task SocketPathInAMissingDirectory()
    {
        using var box = new Sandbox("fail-sockdir");
        var path = box.Combine("missing/app.sock");
        await AssertFailsAsync(box, [$"socket = {path}", "unprivileged-binary-patch = /bin/true"], $"cannot bind socket {path}: No such file or directory", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task SocketPathUnderARegularFile()
    {
        using var box = new Sandbox("fail-sockfile");
        var path = box.Dir.WriteFile("file", "") + "/app.sock";
        await AssertFailsAsync(box, [$"socket = {path}", "unprivileged-binary-patch = /bin/true"], $"cannot bind socket {path}: Not a directory", TestContext.Current.CancellationToken);
    }

    /// <summary>sun_path holds 108 bytes: a longer path is bad input like any other (one line, exit 1), not a crash.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task SocketPathTooLong()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("fail-socklong");
        var path = box.Combine(new string('s', 120) + ".sock");
        await using var guard = new LeakGuard();
        var ini = box.Ini([$"socket = {path}", "unprivileged-binary-patch = /bin/true"]);
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.True(code == 1, $"expected exit code 1, got {code}\n{run.Output}");
        var line = Assert.Single(run.StandardErrorLines);
        Assert.StartsWith(Prefix + $"cannot bind socket {path}: ", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task MissingChroot()
    {
        using var box = new Sandbox("fail-chroot");
        var root = box.Combine("no-such-root");
        await AssertFailsAsync(box, [$"chroot = {root}", "unprivileged-binary-patch = /bin/true"], $"chroot({root}): No such file or directory", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task MissingChdir()
    {
        using var box = new Sandbox("fail-chdir");
        var dir = box.Combine("no-such-dir");
        await AssertFailsAsync(box, [$"chdir = {dir}", "unprivileged-binary-patch = /bin/true"], $"chdir({dir}): No such file or directory", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AppServerOptionsWithoutAPatch_TellToUseRealUwsgi() =>
        await AssertFailsAsync(
            "fail-appserver",
            ["socket = 127.0.0.1:0", "module = app:application", "processes = 4", "master = true"],
            "this config needs uWSGI to host an app (module, processes): the Emperor's vassal role only runs programs (binary patches); start the Emperor with --binary-path /usr/bin/uwsgi to run such vassals with real uWSGI",
            TestContext.Current.CancellationToken);

    private static async Task AssertFailsAsync(string purpose, string[] lines, string expected, CancellationToken cancel)
    {
        using var box = new Sandbox(purpose);
        await AssertFailsAsync(box, lines, expected, cancel);
    }

    private static async Task AssertFailsAsync(Sandbox box, string[] lines, string expected, CancellationToken cancel)
    {
        await using var guard = new LeakGuard();
        var ini = box.Ini(lines);
        await using var run = VassalRun.Start(guard, ini);
        await VassalRun.AssertFailsWithAsync(run, Prefix + expected, cancel);
    }
}
