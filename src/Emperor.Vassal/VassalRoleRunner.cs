using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Core.Cgroups;
using Emperor.Core.Config;
using Emperor.Core.Subscriptions;
using Emperor.Core.VassalRole;
using Emperor.Unix.Interop;
using Emperor.Unix.Processes;

namespace Emperor.Vassal;

/// <summary>
/// <c>emperor --ini app.ini</c>: a vassal instance. In uWSGI's order (spec §11): load the config, bind the
/// declared sockets while privileged, run the privileged binary patch, or else apply chdir, env, umask,
/// rlimits, chroot, gid/groups, uid and run the unprivileged one. The jail steps (cgroups, unshare, pivot_root,
/// capabilities, the hook phases) sit between them in uWSGI's order; docs/jails.md has the whole sequence. The app receives its sockets the systemd
/// way (LISTEN_FDS from fd 3), keeps UWSGI_EMPEROR_FD and NOTIFY_SOCKET, and nothing else is inherited.
/// </summary>
/// <remarks>
/// Unlike uWSGI 2.0.21 the unprivileged patch also runs for a vassal that starts unprivileged (tyrant mode).
/// Every failure is one line on stderr naming the vassal, what failed and the errno text, and exit code 1,
/// so the Emperor's blacklist slows the retries.
/// </remarks>
internal static class VassalRoleRunner
{
    /// <summary>Runs the vassal role for an already loaded config. Returns only on failure.</summary>
    public static int Run(ConfigLoadResult loaded, IReadOnlyList<string> args)
    {
        var name = VassalName(args);
        try
        {
            var (plan, errors) = VassalPlanner.Plan(loaded.Options, loaded.Locations);
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine($"emperor: vassal {name}: {e}");
                }

                return 1;
            }

            if (plan.EmperorCgroupOptions is [var (option, where), ..] && Environment.GetEnvironmentVariable(EmperorCgroupVariables.Limits) != EmperorCgroupVariables.FromFile)
            {
                // Never silent: the limit the file asks for is not on this vassal.
                Console.Error.WriteLine($"emperor: vassal {name}: {where}emperor-cgroup-opt = {option.Key}={option.Value}: not applied: the Emperor writes it to the vassal's own cgroup only with --emperor-cgroup, and not for tyrant vassals");
                return 1;
            }

            if (Environment.GetEnvironmentVariable(VassalSubscriptions.Variable) != VassalSubscriptions.Taken)
            {
                // Never silent: the app runs, but no router hears of it.
                for (var i = 0; i < loaded.Options.Count; i++)
                {
                    if (VassalSubscriptions.IsSubscriptionOption(loaded.Options[i].Key))
                    {
                        var at = i < loaded.Locations.Count ? VassalOptionRules.Where(loaded.Locations[i]) : string.Empty;
                        Console.Error.WriteLine($"emperor: vassal {name}: {at}{loaded.Options[i].Key} = {loaded.Options[i].Value}: not announced: the Emperor announces the vassals whose file it reads (not tyrant-mode ones); a real uwsgi vassal (--binary-path) announces itself");
                    }
                }
            }

            DebugLog.Ignored(name, plan.IgnoredOptions);
            return Execute(plan, args);
        }
        catch (VassalFailure f)
        {
            Console.Error.WriteLine($"emperor: vassal {name}: {f.Message}");
            return 1;
        }
    }

    private static int Execute(VassalPlan plan, IReadOnlyList<string> args)
    {
        var parent = Sys.getppid();
        var underEmperor = Environment.GetEnvironmentVariable("UWSGI_EMPEROR_FD") is not null;
        var privileged = Sys.getuid() == 0;

        // uWSGI applies umask while reading options, so socket files are created under it too.
        if (plan.Umask is { } mask)
        {
            _ = Sys.umask((uint)mask);
        }

        // Names are resolved now, outside any chroot, as uWSGI resolves them while parsing.
        var credentials = Credentials.Resolve(plan);
        Hooks.Run(plan.Jail, HookPhase.Asap);
        var sockets = BoundSockets.Bind(plan, HeldSocketVariables.Decode(Environment.GetEnvironmentVariable(HeldSocketVariables.Held)), OnDemandFd());
        Hooks.Run(plan.Jail, HookPhase.PreJail);

        // uwsgi_setup_log: logto (or daemonize, which under an Emperor only logs) before the privileged patch.
        if (plan.LogTo is { } log)
        {
            if (log.Option == "daemonize" && !underEmperor)
            {
                throw new VassalFailure($"daemonize {log.Path}: the vassal role does not daemonize; outside an Emperor use logto, or {VassalOptionRules.RealUwsgiHint}");
            }

            VassalLog.Apply(log, rotateHere: plan.LogTo2 is null || plan.PrivilegedPatch is not null);
        }

        if (plan.PrivilegedPatch is { } early)
        {
            // A tyrant vassal starts unprivileged: its "privileged" patch runs with what it has.
            ExecPatch(early, args, sockets);
        }

        Apply(plan, credentials, privileged);
        if (underEmperor)
        {
            // A credential change cleared PDEATHSIG: arm it again, and make sure the Emperor is still there.
            Sys.prctl(Sys.PR_SET_PDEATHSIG, 9, 0, 0, 0);
            if (Sys.getppid() != parent)
            {
                return 1;
            }
        }

        ExecPatch(plan.UnprivilegedPatch!, args, sockets);
        return 1; // not reached: ExecPatch throws on failure
    }

    private static void Apply(VassalPlan plan, Credentials credentials, bool privileged)
    {
        CgroupJoin.Join(plan.Jail);
        Hooks.Run(plan.Jail, HookPhase.InJail);
        if (plan.Chdir is { } dir && Sys.chdir(dir) != 0)
        {
            throw new VassalFailure($"chdir({dir}): {Errno()}");
        }

        foreach (var (key, value) in plan.Env)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        foreach (var key in plan.Unenv)
        {
            Environment.SetEnvironmentVariable(key, null);
        }

        SetLimit(Sys.RLIMIT_AS, plan.LimitAs, "limit-as");
        SetLimit(Sys.RLIMIT_NPROC, plan.LimitNproc, "limit-nproc");
        SetLimit(Sys.RLIMIT_NOFILE, plan.MaxFd, "max-fd");
        var unshared = Jail.Unshare(plan.Jail);
        Capabilities.BeforeDrop(plan.Jail);
        if (unshared || plan.Jail.Jailed)
        {
            Hooks.Run(plan.Jail, HookPhase.PostJail);
        }

        if (plan.Chroot is { } root)
        {
            if (Sys.chroot(root) != 0)
            {
                throw new VassalFailure($"chroot({root}): {Errno()}");
            }

            Sys.chdir("/");
        }

        Jail.AfterRootChange(plan.Jail);
        Hooks.Run(plan.Jail, HookPhase.AsRoot);
        credentials.Apply(privileged);

        // logto2: opened as the dropped user (uWSGI opens it right after uwsgi_as_root).
        if (plan.LogTo2 is { } log2)
        {
            VassalLog.Apply(log2, rotateHere: true);
        }

        Capabilities.AfterDrop(plan.Jail);
        Hooks.Run(plan.Jail, HookPhase.AsUser);
    }

    private static unsafe void SetLimit(int resource, long? value, string option)
    {
        if (value is not { } v)
        {
            return;
        }

        var limit = new Sys.RLimit { Current = (ulong)v, Maximum = (ulong)v };
        if (Sys.setrlimit(resource, &limit) != 0)
        {
            throw new VassalFailure($"{option} {v}: setrlimit(): {Errno()}");
        }
    }

    /// <summary>Execs the patch with the sockets at fds 3.. (systemd socket passing). Throws on failure.</summary>
    private static void ExecPatch(PatchSpec patch, IReadOnlyList<string> args, List<(SocketSpec Spec, int Fd)> sockets)
    {
        string program;
        List<string> argv;
        if (patch.ThroughShell)
        {
            program = "/bin/sh";
            argv = ["/bin/sh", "-c", patch.Value];
        }
        else
        {
            program = ResolveOnPath(patch.Value) ?? throw new VassalFailure($"{patch.Option} {patch.Value}: {Sys.strerror(2)}");
            argv = [patch.Value, .. args];
        }

        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty))
            .Where(kv => kv.Key is not ("LISTEN_FDS" or "LISTEN_PID" or "LISTEN_FDNAMES" or HeldSocketVariables.Held or HeldSocketVariables.OnDemand or VassalSubscriptions.Variable))
            .ToList();
        FdLayout.Arrange(sockets.Select(s => s.Fd).ToList(), env);
        if (sockets.Count > 0)
        {
            env.Add(new("LISTEN_FDS", sockets.Count.ToString(CultureInfo.InvariantCulture)));
            env.Add(new("LISTEN_PID", Sys.getpid().ToString(CultureInfo.InvariantCulture)));
            env.Add(new("LISTEN_FDNAMES", string.Join(':', sockets.Select(s => s.Spec.FdName))));
        }

        var errno = Exec.Execve(program, argv, env);
        throw new VassalFailure($"{patch.Option}: cannot execute {program}: {Sys.strerror(errno)}");
    }

    private static int? OnDemandFd() =>
        int.TryParse(Environment.GetEnvironmentVariable(HeldSocketVariables.OnDemand), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && fd > 2
            ? fd
            : null;

    private static string? ResolveOnPath(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate) && Sys.access(candidate, 1) == 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Reads the config the Emperor pushed on UWSGI_EMPEROR_FD_CONFIG when the args name <c>emperor://</c>.</summary>
    public static byte[]? ReadPushedConfigIfAny(IReadOnlyList<string> args)
    {
        if (!args.Any(a => a.StartsWith("emperor://", StringComparison.Ordinal)))
        {
            return null;
        }

        var fdText = Environment.GetEnvironmentVariable("UWSGI_EMPEROR_FD_CONFIG");
        if (fdText is null || !int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
        {
            throw new VassalFailure("this is not a vassal instance: emperor:// needs UWSGI_EMPEROR_FD_CONFIG");
        }

        return PushedConfigReader.Read(fd, TimeSpan.FromSeconds(5));
    }

    public static string VassalName(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--ini" or "--xml" or "--yaml" or "--yml" or "--json" or "--js" or "--config" && i + 1 < args.Count)
            {
                var v = args[i + 1];
                return v.StartsWith("emperor://", StringComparison.Ordinal) ? v["emperor://".Length..] : Path.GetFileName(v);
            }
        }

        return args.Count > 0 ? Path.GetFileName(args[^1]) : "?";
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}
