using System.Runtime.InteropServices;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// The child side of the spawn path. .NET cannot run code between fork and exec, so the Emperor starts its
/// own executable with <see cref="ChildSetupSpec.VariableName"/> set; this runs first thing in Main and does
/// what uWSGI does in the forked child (spec §3.2.1 step 5) before the vassal binary runs:
/// PR_SET_PDEATHSIG (then a getppid() check for the race with the Emperor's death), its own session and
/// process group, every fd but 0–2 and the link(s) close-on-exec, the tyrant
/// gid/groups/uid (then PDEATHSIG again: a credential change clears it), and finally execve of the vassal
/// binary — or, when the vassal binary is this executable, a plain return into the vassal role.
/// </summary>
internal static class ChildSetup
{
    /// <summary>
    /// Runs the set-up if this process was started as a vassal child. Returns null to continue in-process
    /// (the vassal role), or an exit code when the process must end.
    /// </summary>
    public static int? RunIfRequested()
    {
        var raw = Environment.GetEnvironmentVariable(ChildSetupSpec.VariableName);
        if (raw is null)
        {
            return null;
        }

        Environment.SetEnvironmentVariable(ChildSetupSpec.VariableName, null);
        var spec = ChildSetupSpec.Decode(raw);
        if (spec is null)
        {
            Console.Error.WriteLine($"emperor: malformed {ChildSetupSpec.VariableName}; refusing to start");
            return 1;
        }

        if (!ArmParentDeath(spec))
        {
            return 1; // the Emperor is already gone: so must we be
        }

        // Into the vassal's own cgroup before anything else can fork (--emperor-cgroup), then the bounding set
        // (--emperor-cap), both before the tyrant drop: both need root.
        if ((JoinCgroups(spec) ?? DropBoundingSet(spec)) is { } refused)
        {
            Console.Error.WriteLine($"emperor: vassal {spec.VassalName}: {refused}");
            return 1;
        }

        // The spawner already gave us our own session and stdin (/dev/null, or the on-demand socket of a uWSGI
        // vassal); setsid() here only matters when something else started this set-up step.
        Sys.setsid();
        Sys.close_range(3, uint.MaxValue, Sys.CLOSE_RANGE_CLOEXEC);
        foreach (var fd in spec.KeepFds)
        {
            Sys.fcntl(fd, Sys.F_SETFD, 0);
        }

        if (spec.Uid is not null || spec.Gid is not null)
        {
            var failure = DropPrivileges(spec);
            if (failure is not null)
            {
                Console.Error.WriteLine($"emperor: vassal {spec.VassalName}: {failure}");
                return 1;
            }

            if (!ArmParentDeath(spec))
            {
                return 1;
            }
        }

        if (spec.Executable is null)
        {
            return null;
        }

        // The links get small numbers, as under uWSGI's Emperor: a vassal's shell may redirect from
        // $UWSGI_EMPEROR_FD, and dash only accepts fds 0-9 there.
        LowerLinkFds(spec);
        var argv = new List<string> { spec.Argv0 };
        argv.AddRange(Environment.GetCommandLineArgs().Skip(1));
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty));
        var errno = Exec.Execve(spec.Executable, argv, env);
        Console.Error.WriteLine($"emperor: vassal {spec.VassalName}: cannot execute {spec.Executable}: {Sys.strerror(errno)}");
        return 127;
    }

    private static void LowerLinkFds(ChildSetupSpec spec)
    {
        string[] variables = ["UWSGI_EMPEROR_FD", "UWSGI_EMPEROR_FD_CONFIG"];
        var moved = new List<(string Variable, int Fd)>();
        foreach (var variable in variables)
        {
            if (int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd)
                && spec.KeepFds.Contains(fd))
            {
                moved.Add((variable, Sys.fcntl(fd, Sys.F_DUPFD, 64)));
            }
        }

        for (var i = 0; i < moved.Count; i++)
        {
            var target = 3 + i;
            Sys.dup2(moved[i].Fd, target); // the new fd is inheritable
            Sys.close(moved[i].Fd);
            Environment.SetEnvironmentVariable(moved[i].Variable, target.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (moved.Count > 0)
        {
            // The originals (and anything else) must not reach the vassal binary.
            Sys.close_range((uint)(3 + moved.Count), uint.MaxValue, Sys.CLOSE_RANGE_CLOEXEC);
        }
    }

    private static string? JoinCgroups(ChildSetupSpec spec)
    {
        var pid = Sys.getpid().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var procs in spec.Cgroups)
        {
            if (Cgroups.CgroupFiles.Write(procs, pid) is { } failed)
            {
                return $"cannot join its cgroup: {failed}";
            }
        }

        return null;
    }

    /// <summary>
    /// uWSGI's <c>emperor-cap</c> (core/emperor.c, in the forked vassal): every capability not listed leaves the
    /// bounding set, except CAP_SETPCAP, and keep-caps is set. Nothing the vassal or its children exec can gain a
    /// dropped capability again, not even as root or through file capabilities.
    /// </summary>
    private static string? DropBoundingSet(ChildSetupSpec spec)
    {
        if (spec.BoundingCaps is not { } keep)
        {
            return null;
        }

        for (var cap = 0; cap < 64; cap++)
        {
            var has = Sys.prctl(Sys.PR_CAPBSET_READ, cap, 0, 0, 0);
            if (has < 0)
            {
                break; // past the kernel's last capability
            }

            if (has == 1 && cap != Sys.CAP_SETPCAP && !keep.Contains(cap) && Sys.prctl(Sys.PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            {
                return $"emperor-cap: cannot drop {Core.VassalRole.CapabilityNames.Name(cap)} from the bounding set: {Sys.strerror(Marshal.GetLastPInvokeError())}";
            }
        }

        return Sys.prctl(Sys.PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 ? null : $"emperor-cap: prctl(PR_SET_KEEPCAPS): {Sys.strerror(Marshal.GetLastPInvokeError())}";
    }

    private static bool ArmParentDeath(ChildSetupSpec spec)
    {
        Sys.prctl(Sys.PR_SET_PDEATHSIG, Core.Signals.Sigkill, 0, 0, 0);
        return spec.ParentPid == 0 || Sys.getppid() == spec.ParentPid;
    }

    private static unsafe string? DropPrivileges(ChildSetupSpec spec)
    {
        var groups = spec.Groups.ToArray();
        fixed (uint* g = groups)
        {
            if (Sys.setgroups((nuint)groups.Length, g) != 0)
            {
                return $"setgroups() failed: {Sys.strerror(Marshal.GetLastPInvokeError())}";
            }
        }

        if (spec.Gid is { } gid && Sys.setgid((uint)gid) != 0)
        {
            return $"setgid({gid}) failed: {Sys.strerror(Marshal.GetLastPInvokeError())}";
        }

        if (spec.Uid is { } uid && Sys.setuid((uint)uid) != 0)
        {
            return $"setuid({uid}) failed: {Sys.strerror(Marshal.GetLastPInvokeError())}";
        }

        return null;
    }
}
