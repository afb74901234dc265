using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Core.Protocol;
using Emperor.Core.VassalRole;
using Emperor.Core.Vassals;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// Starts vassals with our own spawner: <see cref="PosixSpawn"/> starts this executable in its child set-up step
/// (<see cref="ChildSetup"/>), which then becomes or execs the vassal; a pidfd for every child goes to the
/// <see cref="Reaper"/>, which reports the real wait status.
/// </summary>
/// <remarks>
/// Implementation notes. Descriptors are <see cref="SafeFd"/>s from the socketpair on: each is closed exactly once
/// whatever fails (the old path closed the child ends twice on a failed start). The link ends are created
/// close-on-exec and only the child gets them inheritable (posix_spawn's <c>adddup2(fd, fd)</c>), so a spawn on
/// another thread could not leak them either. PR_SET_PDEATHSIG follows the thread that spawned: only the Emperor's
/// long-lived loop thread calls <see cref="Launch"/>.
/// </remarks>
internal sealed class VassalLauncher(string selfExecutable, Reaper reaper, Guardian? guardian = null, Logs.OutputCapture? output = null) : IVassalLauncher
{
    private readonly int _selfPid = Environment.ProcessId;

    public void Forget(int pid) => guardian?.Untrack(pid);

    public LaunchResult Launch(LaunchRequest request, Action<int, VassalExit> onExit)
    {
        if (!TrySocketPair(out var parentEnd, out var childEnd, out var error))
        {
            return new LaunchResult(null, error);
        }

        SafeFd? configParent = null, configChild = null;
        using var pipes = Logs.OutputPipes.Open(output, request.CaptureAs, out var pipeError); // docs/logs.md
        if (pipeError is not null)
        {
            childEnd.Dispose();
            parentEnd.Dispose();
            return new LaunchResult(null, pipeError);
        }

        try
        {
            if (request.InlineConfig is not null && !TrySocketPair(out configParent, out configChild, out error))
            {
                return new LaunchResult(null, error);
            }

            var self = request.Executable == selfExecutable;
            var keep = new List<int>(4) { childEnd.Fd };
            if (configChild is not null)
            {
                keep.Add(configChild.Fd);
            }

            var env = new List<KeyValuePair<string, string>>(request.Environment.Count + 5);
            env.AddRange(request.Environment);
            AddSockets(request, self, keep, env);
            env.Add(new("UWSGI_EMPEROR_FD", childEnd.Fd.ToString(CultureInfo.InvariantCulture)));
            if (configChild is not null)
            {
                env.Add(new("UWSGI_EMPEROR_FD_CONFIG", configChild.Fd.ToString(CultureInfo.InvariantCulture)));
            }

            var spec = new ChildSetupSpec(
                _selfPid,
                request.Arguments.Count > 0 ? request.Arguments[^1] : "?",
                self ? null : request.Executable,
                request.Arguments.Count > 0 ? request.Arguments[0] : request.Executable,
                [.. keep],
                request.Uid,
                request.Gid,
                request.Uid is { } uid ? Accounts.Accounts.TyrantGroups((uint)uid, (uint)(request.Gid ?? 0)) : [])
            {
                Cgroups = request.CgroupProcs ?? [],
                BoundingCaps = request.BoundingCaps,
            };
            env.Add(new(ChildSetupSpec.VariableName, spec.Encode()));

            // argv[0] of the set-up step is ours; the set-up puts the vassal's argv[0] back before it execs.
            var argv = new List<string>(request.Arguments.Count) { selfExecutable };
            argv.AddRange(request.Arguments.Skip(1));
            var stdin = !self && request.OnDemand is { } od ? od.Fd : -1; // uWSGI adopts a socket on fd 0 (spec §7.5)
            var pid = PosixSpawn.Start(selfExecutable, argv, env, request.WorkingDirectory, CollectionsMarshal.AsSpan(keep), out var errno, stdin, pipes is null ? null : (pipes.ChildStdout, pipes.ChildStderr));
            if (pid == 0)
            {
                return new LaunchResult(null, $"posix_spawn({selfExecutable}) failed: {Sys.strerror(errno)}");
            }

            var pidfd = Sys.pidfd_open(pid, 0);
            if (pidfd < 0)
            {
                // Cannot happen for our own unreaped child short of EMFILE; without a pidfd we could never reap it.
                var e = Marshal.GetLastPInvokeError();
                Sys.kill(pid, Core.Signals.Sigkill);
                return new LaunchResult(null, $"pidfd_open({pid}) failed: {Sys.strerror(e)}");
            }

            pipes?.Attach(pid);
            reaper.Watch(pid, new SafeFd(pidfd), onExit);
            guardian?.Track(pid); // the child leads its own group (POSIX_SPAWN_SETSID): pgid == pid
            if (request.CgroupProcs is [var procs, ..])
            {
                guardian?.TrackCgroup(Path.GetDirectoryName(procs)!); // the v2 one where there is one
            }

            var link = new SocketLink(parentEnd.Release());
            SocketLink? configLink = null;
            if (configParent is not null)
            {
                configLink = new SocketLink(configParent.Release());
                _ = configLink.SendAllAsync(ConfigFrame.Encode(request.InlineConfig), CancellationToken.None).ContinueWith(
                    static t => _ = t.Exception, TaskScheduler.Default);
            }

            return new LaunchResult(new VassalProcess(pid, link, configLink), null);
        }
        finally
        {
            // The child has its copies (or there is no child): the Emperor keeps only its own ends.
            childEnd.Dispose();
            configChild?.Dispose();
            parentEnd.Dispose();
            configParent?.Dispose();
        }
    }

    /// <summary>
    /// Held sockets and the on-demand socket: inherited at their own numbers (duplicates: the Emperor keeps its
    /// copies) and named to our vassal role in <see cref="HeldSocketVariables"/>. A foreign vassal gets the on-demand
    /// socket as fd 0 instead.
    /// </summary>
    private static void AddSockets(LaunchRequest request, bool self, List<int> keep, List<KeyValuePair<string, string>> env)
    {
        if (request.Sockets is { Count: > 0 } sockets)
        {
            foreach (var s in sockets)
            {
                keep.Add(s.Fd);
            }

            env.Add(new(HeldSocketVariables.Held, HeldSocketVariables.Encode(sockets)));
        }

        if (self && request.OnDemand is { } od)
        {
            keep.Add(od.Fd);
            env.Add(new(HeldSocketVariables.OnDemand, od.Fd.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static unsafe bool TrySocketPair(out SafeFd parent, out SafeFd child, out string? error)
    {
        int* pair = stackalloc int[2];
        if (Sys.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0, pair) != 0)
        {
            error = "socketpair() failed: " + Sys.strerror(Marshal.GetLastPInvokeError());
            parent = child = null!;
            return false;
        }

        parent = new SafeFd(pair[0]);
        child = new SafeFd(pair[1]);
        error = null;
        return true;
    }
}
