using Emperor.Testing;

namespace Emperor.Unix.Tests;

/// <summary>LeakGuard catches what a test leaves behind, and cleans it up either way.</summary>
public sealed class LeakGuardTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Dispose_NothingLeftBehind_DoesNotThrow()
    {
        var cancel = TestContext.Current.CancellationToken;
        var guard = new LeakGuard();
        await using (var vassal = TestProcess.StartTestVassal(guard, ["--exit", "0"]))
        {
            Assert.Equal(0, await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        }

        await guard.DisposeAsync();
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Dispose_ProcessLeftRunning_KillsItAndThrows()
    {
        var cancel = TestContext.Current.CancellationToken;
        var guard = new LeakGuard();
        await using var vassal = TestProcess.StartTestVassal(guard, []);
        await Wait.UntilAsync(() => guard.FindTagged().Contains(vassal.Pid), Deadlines.Child, "the vassal to carry the token", cancel);

        var leak = await Assert.ThrowsAsync<LeakException>(async () => await guard.DisposeAsync());

        Assert.Contains($"pid {vassal.Pid} (testvassal)", leak.Message, StringComparison.Ordinal);
        Assert.Contains(guard.Token, leak.Message, StringComparison.Ordinal);
        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        Assert.Empty(guard.FindTagged());
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Dispose_TaggedGrandchildLeftRunning_KillsItAndThrows()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var dir = new TempDir("leak-grandchild");
        var path = dir.Combine("report");
        var guard = new LeakGuard();
        int grandchild;
        await using (var vassal = TestProcess.StartTestVassal(guard, ["--spawn-child", "--report", path]))
        {
            grandchild = (await Wait.ForValueAsync(() => ReportFile.TryLoad(path), Deadlines.Child, "the report", cancel)).ChildPid!.Value;
        }

        // Disposing the vassal killed only the vassal; its grandchild still runs, tagged.
        var leak = await Assert.ThrowsAsync<LeakException>(async () => await guard.DisposeAsync());

        Assert.Contains($"pid {grandchild} (testvassal)", leak.Message, StringComparison.Ordinal);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Dispose_ZombieChild_Throws()
    {
        var cancel = TestContext.Current.CancellationToken;
        var zombie = Native.SpawnUnreaped("/bin/true");
        try
        {
            await Wait.UntilAsync(() => ProcessTree.ZombieChildren(Environment.ProcessId).Contains(zombie), Deadlines.Child, "the zombie", cancel);
            var guard = new LeakGuard { Deadline = TimeSpan.FromMilliseconds(200) };

            var leak = Assert.Throws<LeakException>(guard.Dispose);

            Assert.Contains("zombie", leak.Message, StringComparison.Ordinal);
            Assert.Contains($"pid {zombie}", leak.Message, StringComparison.Ordinal);
        }
        finally
        {
            Assert.True(Native.Reap(zombie));
        }

        Assert.DoesNotContain(zombie, ProcessTree.ZombieChildren(Environment.ProcessId));
    }

    [Fact]
    public void Dispose_WatchedFdStillOpen_Throws()
    {
        using var pair = SocketPair.Create();
        var guard = new LeakGuard();
        guard.WatchFdTarget(pair.ParentTarget);

        var leak = Assert.Throws<LeakException>(guard.Dispose);

        Assert.Contains(pair.ParentTarget, leak.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_WatchedFdClosed_DoesNotThrow()
    {
        var guard = new LeakGuard();
        var pair = SocketPair.Create();
        guard.WatchFd(pair.ChildFd);
        guard.WatchFdTarget(pair.ParentTarget);

        pair.Dispose();

        guard.Dispose();
    }

    [Fact]
    public void Dispose_Twice_ChecksOnce()
    {
        using var pair = SocketPair.Create();
        var guard = new LeakGuard();
        guard.WatchFdTarget(pair.ParentTarget);

        _ = Assert.Throws<LeakException>(guard.Dispose);

        guard.Dispose();
    }
}
