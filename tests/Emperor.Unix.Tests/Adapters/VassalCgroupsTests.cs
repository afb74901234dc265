using System.Diagnostics;
using System.Globalization;
using Emperor.Core.Cgroups;
using Emperor.Testing;
using Emperor.Unix.Cgroups;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>
/// <see cref="VassalCgroups"/> on this machine's real hierarchies: the kill with <c>cgroup.kill</c> (v2) and, on the
/// same machine seen without its cgroup2 mount, the kill pid by pid — also of a cgroup whose process keeps forking.
/// </summary>
public sealed class VassalCgroupsTests
{
    private static readonly List<CgroupMount> s_mounts = CgroupMounts.Parse(File.ReadAllText("/proc/self/mountinfo"));

    [Theory(Timeout = Deadlines.Test)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kill_EndsFiftyProcessesOfOtherSessions_ThenTheCgroupGoes(bool withV2)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var place = new Place(withV2);
        await using var guard = new LeakGuard();
        var cgroup = place.Cgroups.Prepare("k.ini", [], out var error) ?? throw new InvalidOperationException(error);
        Assert.Equal(withV2, cgroup.CanKill);
        var pids = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            var p = Start(guard, "exec setsid sleep 100301");
            pids.Add(p.Id);
            Join(cgroup, p.Id);
        }

        var clock = Stopwatch.StartNew();
        Assert.True(place.Cgroups.Kill(cgroup));
        var killed = clock.Elapsed;
        await Wait.UntilAsync(() => pids.All(p => !ProcessTree.IsRunning(p)), Deadlines.Child, "the 50 processes to die", cancel);
        var dead = clock.Elapsed;

        await Wait.UntilAsync(() => place.Cgroups.TryRemove(cgroup), Deadlines.Child, "the empty cgroup to be removed", cancel);
        Assert.False(place.Cgroups.Kill(cgroup), "an empty cgroup reported processes");
        TestContext.Current.TestOutputHelper?.WriteLine($"{(withV2 ? "cgroup.kill" : "pid by pid")}: Kill() returned after {killed.TotalMilliseconds:0.00} ms, all 50 dead after {dead.TotalMilliseconds:0.00} ms");
    }

    /// <summary>pid by pid, a process forking as fast as it can: the kill still ends (pids.max bounds the storm).</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task KillByPid_EndsAForkStorm()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var place = new Place(withV2: false);
        await using var guard = new LeakGuard();
        var cgroup = place.Cgroups.Prepare("storm.ini", [new("pids.max", "300")], out var error) ?? throw new InvalidOperationException(error);
        Assert.Equal("300", File.ReadAllText(cgroup.Of("pids") + "/pids.max").Trim());
        // It forks only once it is in the cgroup (a child forked before would not be in it).
        var storm = Start(guard, "read go; while :; do sleep 100302 & done", stdin: true);
        Join(cgroup, storm.Id);
        await storm.StandardInput.WriteLineAsync("go".AsMemory(), cancel);
        await storm.StandardInput.FlushAsync(cancel);
        await Wait.UntilAsync(() => CgroupFiles.Pids(cgroup.Members + "/cgroup.procs").Count > 50, Deadlines.Child, "the storm to fork", cancel);

        Assert.True(place.Cgroups.Kill(cgroup));

        await Wait.UntilAsync(() => CgroupFiles.Pids(cgroup.Members + "/cgroup.procs").Count == 0, Deadlines.Child, "every process of the storm to be gone", cancel);
        await Wait.UntilAsync(() => place.Cgroups.TryRemove(cgroup), Deadlines.Child, "the empty cgroup to be removed", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Read_TheUsageOfALiveCgroup()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var place = new Place(withV2: true);
        await using var guard = new LeakGuard();
        var cgroup = place.Cgroups.Prepare("r.ini", [], out var error) ?? throw new InvalidOperationException(error);

        // It spins only once it is in the cgroup (the line on its stdin says so), then sleeps.
        var p = Start(guard, "read go; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; exec sleep 100303", stdin: true);
        try
        {
            Join(cgroup, p.Id);
            await p.StandardInput.WriteLineAsync("go".AsMemory(), cancel);
            await p.StandardInput.FlushAsync(cancel);
            await Wait.UntilAsync(() => File.ReadAllText($"/proc/{p.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal), Deadlines.Child, "the spin to end", cancel);

            var usage = place.Cgroups.Read(cgroup);

            Assert.True(usage.CpuUsageUsec > 1000, $"cpu {usage.CpuUsageUsec} µs after a 50,000-step shell loop");
            Assert.True(usage.MemoryCurrent > 0, $"memory {usage.MemoryCurrent}");
            Assert.True(usage.MemoryPeak >= usage.MemoryCurrent, $"peak {usage.MemoryPeak} below current {usage.MemoryCurrent}");
            Assert.Equal(0, usage.OomKills);
            Assert.Equal(1, usage.PidsCurrent);
        }
        finally
        {
            place.Cgroups.Kill(cgroup);
            await Wait.UntilAsync(() => place.Cgroups.TryRemove(cgroup), Deadlines.Child, "the cgroup to be removed", cancel);
        }
    }

    private static Process Start(LeakGuard guard, string script, bool stdin = false)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false, RedirectStandardInput = stdin };
        guard.Tag(psi);
        return Process.Start(psi) ?? throw new InvalidOperationException("sh did not start");
    }

    private static void Join(VassalCgroup cgroup, int pid)
    {
        foreach (var procs in cgroup.ProcsFiles)
        {
            Assert.Null(CgroupFiles.Write(procs, pid.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>A throw-away DIR under this machine's hierarchies (all of them, or v1 only), removed at the end.</summary>
    private sealed class Place : IDisposable
    {
        private readonly List<CgroupMount> _mounts;
        private readonly string _relative = "/emperor-test-" + Guid.NewGuid().ToString("N")[..12];

        public Place(bool withV2)
        {
            _mounts = withV2 ? s_mounts : s_mounts.Where(m => m.Version == 1).ToList();
            var root = _mounts.First(m => withV2 ? m.Version == 2 : m.Controllers.Contains("memory")).MountPoint;
            Cgroups = VassalCgroups.Open(root + _relative, _mounts, out var error) ?? throw new InvalidOperationException(error);
        }

        public VassalCgroups Cgroups { get; }

        public void Dispose()
        {
            foreach (var m in s_mounts)
            {
                var dir = m.MountPoint + _relative;
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (var child in Directory.GetDirectories(dir).Append(dir))
                {
                    Wait.Until(() => TryDelete(child), Deadlines.Child, "removal of " + child);
                }
            }
        }

        private static bool TryDelete(string dir)
        {
            try
            {
                Directory.Delete(dir);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
