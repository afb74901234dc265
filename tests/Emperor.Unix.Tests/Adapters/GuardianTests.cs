using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Testing;
using Emperor.Unix.Processes;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>
/// The guardian (<see cref="Guardian"/>): a real <c>/bin/sh</c> fed over a pipe. When the Emperor's end of the pipe
/// closes (its death, simulated here by swapping that fd for /dev/null), it SIGKILLs every tracked process group;
/// a clean <c>bye</c> and untracked groups are left alone.
/// </summary>
/// <remarks>The tests of this class run one after another, so "the guardian child that appeared" is ours.</remarks>
public sealed class GuardianTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task PipeClosing_KillsEveryTrackedGroup_GrandchildrenIncluded()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var scene = await Scene.StartAsync("guardian-kill", cancel);
        var (vassal, grandchild, pid) = (scene.Vassal, scene.Grandchild, scene.GuardianPid);

        CloseEmperorEnd(pid);

        Assert.Equal(Signals.DeathExitCode(Signals.Sigkill), await vassal.WaitForExitAsync(Deadlines.Child, cancel));
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild (same group) to be killed", cancel);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), Deadlines.Child, "the guardian to exit after EOF", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task PipeClosing_SparesAGroupThatWasUntracked()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var scene = await Scene.StartAsync("guardian-untrack", cancel);
        var (vassal, grandchild, pid) = (scene.Vassal, scene.Grandchild, scene.GuardianPid);

        var read = ReadBytes(pid);
        scene.Guardian.Untrack(vassal.Pid);
        await Wait.UntilAsync(() => ReadBytes(pid) >= read + Line('-', vassal.Pid).Length, Deadlines.Child, "the guardian to read the -PGID line", cancel);
        CloseEmperorEnd(pid);

        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), Deadlines.Child, "the guardian to exit after EOF", cancel);
        Assert.True(ProcessTree.IsRunning(vassal.Pid) && ProcessTree.IsRunning(grandchild), "the guardian killed an untracked group");
        _ = ProcessTree.KillGroup(vassal.Pid, Signals.Sigkill);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Dispose_SaysByeAndTheGuardianLeaves_KillingNothing()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var scene = await Scene.StartAsync("guardian-bye", cancel);
        var (vassal, grandchild, pid) = (scene.Vassal, scene.Grandchild, scene.GuardianPid);

        scene.DisposeGuardian();

        Assert.False(ProcessTree.IsRunning(pid), "Dispose returned while the guardian still ran");
        Assert.True(ProcessTree.IsRunning(vassal.Pid) && ProcessTree.IsRunning(grandchild), "a clean shutdown killed a tracked group");
        _ = ProcessTree.KillGroup(vassal.Pid, Signals.Sigkill);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(grandchild), Deadlines.Child, "the grandchild to die", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Guardian_IgnoresTheSignalsAnOperatorSendsTheEmperorsGroup()
    {
        var cancel = TestContext.Current.CancellationToken;
        var before = GuardianChildren();
        using var guardian = Guardian.Start();
        var pid = await FindGuardianAsync(before, cancel);
        await Wait.UntilAsync(() => IsBlockedReadingStdin(pid), Deadlines.Child, "the guardian to wait for lines", cancel);

        foreach (var signal in new[] { Signals.Sigint, Signals.Sigterm, Signals.Sighup, Signals.Sigquit })
        {
            Assert.True(ProcessTree.Kill(pid, signal));
        }

        // Signals are handled before the blocked read resumes: once it is back in read(2), all four were ignored.
        await Wait.UntilAsync(() => IsBlockedReadingStdin(pid), Deadlines.Child, "the guardian to be back in read(2)", cancel);
        Assert.True(ProcessTree.IsRunning(pid), "a signal took the guardian");
    }

    private static string Line(char sign, int pgid) => sign + pgid.ToString(CultureInfo.InvariantCulture) + "\n";

    private static async Task TrackAndWaitUntilReadAsync(Guardian guardian, int pid, int pgid, CancellationToken cancel)
    {
        // Once it is blocked reading stdin its start-up (which reads files too) is over: from then on, bytes read are lines.
        await Wait.UntilAsync(() => IsBlockedReadingStdin(pid), Deadlines.Child, "the guardian to wait for lines", cancel);
        var read = ReadBytes(pid);
        guardian.Track(pgid);
        await Wait.UntilAsync(() => ReadBytes(pid) >= read + Line('+', pgid).Length, Deadlines.Child, "the guardian to read the +PGID line", cancel);
    }

    private static HashSet<int> GuardianChildren() =>
        [.. ProcessTree.Children(Environment.ProcessId).Where(p => (ReadText($"/proc/{p}/cmdline") ?? "").Contains("emperor-guardian", StringComparison.Ordinal))];

    private static async Task<int> FindGuardianAsync(HashSet<int> before, CancellationToken cancel)
    {
        var found = 0;
        await Wait.UntilAsync(() => (found = GuardianChildren().Except(before).FirstOrDefault()) != 0, Deadlines.Child, "the guardian process", cancel);
        return found;
    }

    /// <summary>
    /// Does what the Emperor's death does to the guardian's stdin: closes this process's write end. dup2 puts
    /// /dev/null in its place in one step, so the fd number the runtime still owns stays valid (and no other
    /// file can take it): the guardian sees EOF, the writer thread writes into /dev/null.
    /// </summary>
    private static void CloseEmperorEnd(int pid)
    {
        var pipe = ProcessTree.OpenFds(pid)[0];
        var ours = ProcessTree.OpenFds(Environment.ProcessId).Where(f => f.Value == pipe).Select(f => f.Key).ToList();
        Assert.True(ours.Count == 1, $"expected one fd of this process on the guardian's stdin {pipe}, found {ours.Count}");
        var devNull = Native.open("/dev/null", Native.ORdwr | Native.OCloexec);
        Assert.True(devNull >= 0, $"open(/dev/null) failed with errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.True(Native.dup2(devNull, ours[0]) == ours[0], $"dup2 failed with errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Native.close(devNull);
        }
    }

    /// <summary>Blocked in read(2) on fd 0 (/proc/PID/syscall: the syscall number, then the first argument).</summary>
    private static bool IsBlockedReadingStdin(int pid)
    {
        var read = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "63" : "0";
        var fields = (ReadText($"/proc/{pid}/syscall") ?? "").Split(' ');
        return fields.Length > 1 && fields[0] == read && fields[1] == "0x0";
    }

    /// <summary>Bytes the process has read(2) so far (/proc/PID/io, rchar).</summary>
    private static long ReadBytes(int pid) =>
        (ReadText($"/proc/{pid}/io") ?? "").Split('\n').Where(l => l.StartsWith("rchar:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["rchar:".Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault(-1);

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// A testvassal leading its own process group with a grandchild in it, and a guardian that has read the line
    /// tracking that group. Disposing disposes the guardian (once), the vassal, then the guard.
    /// </summary>
    private sealed class Scene : IAsyncDisposable
    {
        private readonly TempDir _dir;
        private readonly LeakGuard _guard;
        private bool _guardianDisposed;

        private Scene(TempDir dir, LeakGuard guard, TestProcess vassal, int grandchild, Guardian guardian, int guardianPid)
        {
            _dir = dir;
            _guard = guard;
            Vassal = vassal;
            Grandchild = grandchild;
            Guardian = guardian;
            GuardianPid = guardianPid;
        }

        public TestProcess Vassal { get; }

        public int Grandchild { get; }

        public Guardian Guardian { get; }

        public int GuardianPid { get; }

        public static async Task<Scene> StartAsync(string purpose, CancellationToken cancel)
        {
            var dir = new TempDir(purpose);
            var guard = new LeakGuard();
            var path = dir.Combine("report");
            var vassal = TestProcess.StartTestVassal(guard, ["--setsid", "--spawn-child", "--report", path]);
            var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(path), Deadlines.Child, "the vassal's report", cancel);
            var before = GuardianChildren();
            var guardian = Guardian.Start();
            var pid = await FindGuardianAsync(before, cancel);
            await TrackAndWaitUntilReadAsync(guardian, pid, vassal.Pid, cancel);
            return new Scene(dir, guard, vassal, report.ChildPid ?? throw new InvalidOperationException("no child= in the report"), guardian, pid);
        }

        /// <summary>The Emperor's clean shutdown: the guardian is told <c>bye</c> and waited for.</summary>
        public void DisposeGuardian()
        {
            if (!_guardianDisposed)
            {
                _guardianDisposed = true;
                Guardian.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                DisposeGuardian();
                await Vassal.DisposeAsync();
                await _guard.DisposeAsync();
            }
            finally
            {
                _dir.Dispose();
            }
        }
    }
}
