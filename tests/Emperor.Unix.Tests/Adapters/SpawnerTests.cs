using System.Runtime.InteropServices;
using Emperor.Core.Vassals;
using Emperor.Testing;
using Emperor.Unix.Interop;
using Emperor.Unix.Processes;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>
/// The own spawner for real: <see cref="PosixSpawn"/> starts real programs, the <see cref="Reaper"/> collects their real
/// wait statuses through pidfds. The children are tagged with a <see cref="LeakGuard"/> token: none may outlive a test.
/// </summary>
public sealed class SpawnerTests
{
    private static (int Pid, Task<VassalExit> Exit) Start(Reaper reaper, LeakGuard guard, string script, ReadOnlySpan<int> inherit = default, string cwd = "/")
    {
        var env = new List<KeyValuePair<string, string>> { new("PATH", "/usr/bin:/bin"), new(LeakGuard.TokenVariable, guard.Token) };
        var pid = PosixSpawn.Start("/bin/sh", ["sh", "-c", script], env, cwd, inherit, out var errno);
        Assert.True(pid > 0, $"posix_spawn failed: {Sys.strerror(errno)}");
        var pidfd = Sys.pidfd_open(pid, 0);
        Assert.True(pidfd >= 0, "pidfd_open: " + Sys.strerror(Marshal.GetLastPInvokeError()));
        var exit = new TaskCompletionSource<VassalExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        reaper.Watch(pid, new SafeFd(pidfd), (p, e) => exit.TrySetResult(p == pid ? e : VassalExit.Unknown));
        return (pid, exit.Task);
    }

    [Theory(Timeout = Deadlines.Test)]
    [InlineData("exit 0", 0, null)]
    [InlineData("exit 143", 143, null)]
    [InlineData("exit 137", 137, null)]
    [InlineData("kill -TERM $$", null, 15)]
    [InlineData("kill -KILL $$", null, 9)]
    public async Task The_reaper_reports_the_real_status_an_exit_code_or_a_signal(string script, int? code, int? signal)
    {
        await using var guard = new LeakGuard();
        using var reaper = new Reaper();
        var (_, exit) = Start(reaper, guard, script);

        Assert.Equal(new VassalExit(code, signal), await exit.WaitAsync(Deadlines.Child, TestContext.Current.CancellationToken));
        Assert.Equal(0, reaper.Count);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task The_child_leads_its_own_session_with_default_signals_an_empty_mask_and_only_the_listed_fds()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var dir = new TempDir("spawner");
        using var reaper = new Reaper();
        using var kept = SocketPair.Create();
        using var notKept = SocketPair.Create();
        var keptFd = kept.ChildFd; // close-on-exec here, like every fd of ours: only adddup2 may pass it
        InheritedFds.MarkCloseOnExec(); // as the Emperor does at start: what the test runner left us must not leak

        // posix_spawn returns after the exec: what /proc shows now is what the program got.
        var (pid, exit) = Start(reaper, guard, "exec sleep 100", [keptFd], cwd: dir.Path);
        try
        {
            await Wait.UntilAsync(() => File.Exists($"/proc/{pid}/exe") && new FileInfo($"/proc/{pid}/exe").LinkTarget?.EndsWith("/sleep", StringComparison.Ordinal) == true, Deadlines.Child, "sleep to be exec'd", cancel);
            Assert.Equal(dir.Path, new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget);
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]); // pgrp
            Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]); // session
            var status = File.ReadAllLines($"/proc/{pid}/status");
            Assert.Contains("SigBlk:\t0000000000000000", status);
            Assert.Contains("SigIgn:\t0000000000000000", status); // the runtime ignores SIGPIPE; the child must not
            var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(f => int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.True(fds.SetEquals([0, 1, 2, keptFd]), $"fds of the child: {string.Join(',', fds.Order().Select(f => f + "=" + new FileInfo($"/proc/{pid}/fd/{f}").LinkTarget))} (kept {keptFd}, not kept {notKept.ChildFd})");
            Assert.Equal("/dev/null", new FileInfo($"/proc/{pid}/fd/0").LinkTarget);
        }
        finally
        {
            Sys.kill(pid, Core.Signals.Sigkill);
        }

        Assert.Equal(VassalExit.Killed(Core.Signals.Sigkill), await exit.WaitAsync(Deadlines.Child, cancel));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Many_children_at_once_are_all_reaped_with_their_own_statuses()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var guard = new LeakGuard();
        using var reaper = new Reaper();
        var exits = Enumerable.Range(0, 50).Select(i => (Code: i, Start(reaper, guard, $"exit {i}").Exit)).ToList();

        foreach (var (code, exit) in exits)
        {
            Assert.Equal(VassalExit.Exited(code), await exit.WaitAsync(Deadlines.Child, cancel));
        }

        Assert.Equal(0, reaper.Count);
        Assert.Empty(ProcessTree.ZombieChildren(Environment.ProcessId));
    }

    [Fact]
    public async Task A_program_that_cannot_be_executed_is_an_errno_not_a_child()
    {
        await using var guard = new LeakGuard();
        var pid = PosixSpawn.Start("/nonexistent/program", ["x"], [], "/", [], out var errno);
        Assert.Equal(0, pid);
        Assert.Equal(2, errno); // ENOENT
        Assert.Empty(ProcessTree.ZombieChildren(Environment.ProcessId));
        await Task.CompletedTask;
    }
}
