using Emperor.Testing;

namespace Emperor.Monitors.Tests;

/// <summary>
/// "At start-up the Emperor chdir()s to the vassal dir" for sources without a directory (docs/monitors.md): a zmq://
/// vassal — inline or a file named by a message — runs in the Emperor's start-up directory, whatever directory a
/// dir:// source next to it watches, also when it is respawned after a death (uWSGI's respawn inherits the cwd its
/// last directory scan left, spec §10.4), and its <c>%v</c> says so.
/// </summary>
public sealed class NonFileWorkingDirectoryTests : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);
    private readonly LeakGuard _guard = new();
    private readonly TempDir _dir = new("monitor-cwd");
    private EmperorProcess? _emperor;

    private static string Config(string tag) =>
        $"[uwsgi]\nenv = CWD_TAG={tag}\nenv = SEEN_CWD=%v\nunprivileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --protocol --send 1\n";

    [Fact(Timeout = 120_000)]
    public async Task ZmqVassals_RunInTheStartupDirectory_NotTheDirSourcesDirectory_AlsoAfterARespawn()
    {
        var ct = TestContext.Current.CancellationToken;
        var startup = Directory.CreateDirectory(_dir.Combine("startup")).FullName;
        var vassals = Directory.CreateDirectory(_dir.Combine("vassals")).FullName;
        _dir.WriteFile("vassals/d.ini", Config("dir"));
        _dir.WriteFile("startup/f.ini", Config("file"));
        var port = FreePort.Tcp();
        var endpoint = $"tcp://127.0.0.1:{port}";
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(
            _guard, ["--emperor", vassals, "--emperor", "zmq://" + endpoint, "--emperor-freq", "1"], startup, ct);
        await emperor.WaitForLineAsync("PULL socket bound on 127.0.0.1:" + port, s_deadline, ct);

        var dirPid = await emperor.WaitForRunningPidAsync("d.ini", s_deadline, ct);
        await ProgramRunsAsync(dirPid, ct);
        Assert.Equal(vassals, CwdOf(dirPid));
        Assert.Equal(vassals, EnvironmentOf(dirPid, "SEEN_CWD"));

        await ZmqPusher.SendAsync(_guard, endpoint, ["touch", "inline.ini", Config("inline")], ["touch", "f.ini"]);
        var inlinePid = await emperor.WaitForRunningPidAsync("inline.ini", s_deadline, ct);
        var filePid = await emperor.WaitForRunningPidAsync("f.ini", s_deadline, ct);
        await ProgramRunsAsync(inlinePid, ct);
        await ProgramRunsAsync(filePid, ct);
        Assert.Equal(startup, CwdOf(inlinePid));
        Assert.Equal(startup, EnvironmentOf(inlinePid, "SEEN_CWD"));
        Assert.Equal(startup, CwdOf(filePid));
        Assert.Equal("file", EnvironmentOf(filePid, "CWD_TAG"));

        // A scan of the dir:// source in between (touching its file) must not change where the next respawn runs.
        File.SetLastWriteTimeUtc(Path.Combine(vassals, "d.ini"), DateTime.UtcNow.AddSeconds(5));
        Assert.True(ProcessTree.Kill(inlinePid, Signals.Sigkill));
        var respawned = await emperor.WaitForRunningPidAsync("inline.ini", s_deadline, p => p != inlinePid, ct);
        await ProgramRunsAsync(respawned, ct);
        Assert.Equal(startup, CwdOf(respawned));
        Assert.Equal(startup, EnvironmentOf(respawned, "SEEN_CWD"));
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    /// <summary>
    /// The running pid is the vassal role's until it execs the program with the options' environment (through
    /// <c>sh</c>, so two execs). Only once the pid's executable is the test vassal is its environment final: a read
    /// of /proc/PID/environ during an exec can see a half-built block.
    /// </summary>
    private static Task ProgramRunsAsync(int pid, CancellationToken ct) =>
        Wait.UntilAsync(
            () => ExecutableOf(pid) == Path.GetFullPath(TestPaths.TestVassalBinary) && EnvironmentOf(pid, "CWD_TAG") is not null,
            s_deadline,
            $"pid {pid} to exec the test vassal",
            ct);

    private static string? ExecutableOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? CwdOf(int pid) => new FileInfo($"/proc/{pid}/cwd").LinkTarget;

    private static string? EnvironmentOf(int pid, string name) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0').FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_emperor is not null)
            {
                await _emperor.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await _guard.DisposeAsync();
            }
            finally
            {
                _dir.Dispose();
            }
        }
    }
}
