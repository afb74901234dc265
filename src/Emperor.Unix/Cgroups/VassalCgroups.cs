using Emperor.Core.Abstractions;
using Emperor.Core.Cgroups;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Cgroups;

/// <summary>
/// <c>--emperor-cgroup DIR</c> on this machine: DIR is created in every hierarchy the <see cref="CgroupLayout"/> uses,
/// each vassal gets <c>DIR/NAME</c> there, joins it in its child set-up step (before the vassal binary runs), and is
/// ended with <c>cgroup.kill</c> — or, on a kernel or hierarchy without it, by SIGKILL to each pid until no new one
/// shows up.
/// </summary>
/// <remarks>
/// On v2 the Emperor enables the memory, pids and cpu controllers in DIR's <c>cgroup.subtree_control</c> (and in
/// every directory it created on the way), so the vassal cgroups below get their files; a controller that DIR's
/// parent does not pass down, or that v2 does not have at all (a hybrid host), comes from its v1 hierarchy.
/// </remarks>
internal sealed class VassalCgroups : IVassalCgroups
{
    private readonly CgroupLayout _layout;

    private VassalCgroups(CgroupLayout layout) => _layout = layout;

    public string Description => _layout.Describe();

    /// <summary>Sets DIR up from this process's mounts, or says in one line why the Emperor goes on without cgroups.</summary>
    public static VassalCgroups? Open(string dir, out string? error) =>
        Open(dir, CgroupMounts.Parse(CgroupFiles.Read("/proc/self/mountinfo") ?? string.Empty), out error);

    public static VassalCgroups? Open(string dir, IReadOnlyList<CgroupMount> mounts, out string? error)
    {
        if (!CgroupLayout.TryLocate(mounts, dir, out var relative, out error))
        {
            return null;
        }

        var v2 = mounts.FirstOrDefault(m => m.Version == 2);
        var v2Controllers = new HashSet<string>(StringComparer.Ordinal);
        var hasKill = false;
        if (v2 is not null)
        {
            var v2Dir = v2.MountPoint.TrimEnd('/') + relative;
            var created = new List<string>();
            if (!CgroupFiles.MakeDirectories(v2Dir, created, out error))
            {
                return null;
            }

            // Hand the controllers down from the first directory we made (or DIR itself) to DIR's children.
            var chain = created.Count > 0 ? created : [v2Dir];
            foreach (var d in chain)
            {
                var available = (CgroupFiles.Read(d + "/cgroup.controllers") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var enable = CgroupLayout.Wanted.Where(available.Contains).Select(c => "+" + c).ToList();
                if (enable.Count > 0)
                {
                    // EBUSY when DIR itself holds processes (v2's no-internal-process rule): those controllers come from v1.
                    _ = CgroupFiles.Write(d + "/cgroup.subtree_control", string.Join(' ', enable));
                }
            }

            foreach (var c in (CgroupFiles.Read(v2Dir + "/cgroup.subtree_control") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                v2Controllers.Add(c);
            }

            hasKill = File.Exists(v2Dir + "/cgroup.kill");
        }

        var layout = CgroupLayout.Resolve(mounts, relative, v2Controllers, hasKill);
        foreach (var d in layout.V1.Values.Distinct(StringComparer.Ordinal))
        {
            if (!CgroupFiles.MakeDirectories(d, [], out error))
            {
                return null;
            }
        }

        return new VassalCgroups(layout);
    }

    public VassalCgroup? Prepare(string vassal, IReadOnlyList<KeyValuePair<string, string>> limits, out string? error)
    {
        var cgroup = _layout.For(vassal);
        foreach (var d in cgroup.Directories)
        {
            if (!CgroupFiles.MakeDirectory(d, out error, out _))
            {
                error = "cgroup: " + error;
                return null;
            }
        }

        var (writes, errors) = CgroupLimits.Plan(cgroup, limits);
        if (errors.Count > 0)
        {
            error = errors[0];
            return null;
        }

        foreach (var (file, value, option) in writes)
        {
            if (CgroupFiles.Write(file, value) is { } failed)
            {
                error = $"emperor-cgroup-opt {option}: {failed}";
                return null;
            }
        }

        error = null;
        return cgroup;
    }

    public bool Kill(VassalCgroup cgroup)
    {
        var members = cgroup.Members + "/cgroup.procs";
        if (CgroupFiles.Pids(members).Count == 0)
        {
            return false;
        }

        if (cgroup.CanKill && CgroupFiles.Write(cgroup.V2 + "/cgroup.kill", "1") is null)
        {
            return true;
        }

        // Without cgroup.kill: every pid, again until a reading shows none we have not signalled. A process with a
        // SIGKILL pending forks no more, so this ends; only a fork already under way can add one pid.
        var signalled = new HashSet<int>();
        for (var round = 0; round < 1000; round++)
        {
            var fresh = CgroupFiles.Pids(members).Where(signalled.Add).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var pid in fresh)
            {
                Sys.kill(pid, Core.Signals.Sigkill);
            }
        }

        return true;
    }

    public bool TryRemove(VassalCgroup cgroup)
    {
        var gone = true;
        foreach (var d in cgroup.Directories)
        {
            if (Sys.rmdir(d) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Sys.ENOENT)
            {
                gone = false;
            }
        }

        return gone;
    }

    public CgroupUsage Read(VassalCgroup cgroup)
    {
        long? memory = null, peak = null, oom = null, pids = null, cpu = null;
        if (cgroup.Of("memory") is { } m)
        {
            var v2 = m == cgroup.V2;
            memory = CgroupUsage.Single(CgroupFiles.Read(m + (v2 ? "/memory.current" : "/memory.usage_in_bytes")));
            peak = CgroupUsage.Single(CgroupFiles.Read(m + (v2 ? "/memory.peak" : "/memory.max_usage_in_bytes")));
            oom = CgroupUsage.Keyed(CgroupFiles.Read(m + (v2 ? "/memory.events" : "/memory.oom_control")), "oom_kill");
        }

        if (cgroup.Of("pids") is { } p)
        {
            pids = CgroupUsage.Single(CgroupFiles.Read(p + "/pids.current"));
        }

        if (cgroup.CpuUsage is { } c)
        {
            cpu = c == cgroup.V2
                ? CgroupUsage.Keyed(CgroupFiles.Read(c + "/cpu.stat"), "usage_usec")
                : CgroupUsage.Single(CgroupFiles.Read(c + "/cpuacct.usage")) / 1000;
        }

        return new CgroupUsage(memory, peak, cpu, oom, pids);
    }
}
