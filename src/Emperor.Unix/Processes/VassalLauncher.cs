using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// Starts vassals through <see cref="Process"/> (the runtime owns SIGCHLD and reaping), always as this
/// executable in its child set-up step (<see cref="ChildSetup"/>), which then becomes or execs the vassal.
/// </summary>
/// <remarks>
/// Implementation notes. Only the Emperor's event-loop thread calls <see cref="Launch"/>: the child end of the
/// link is made inheritable (FD_CLOEXEC cleared) just for the fork, so no other fork may happen meanwhile,
/// and PR_SET_PDEATHSIG follows the thread that forked, which must outlive its children. The child set-up
/// marks every other fd close-on-exec, so nothing else leaks even if that rule were broken.
/// </remarks>
internal sealed class VassalLauncher(string selfExecutable, Guardian? guardian = null) : IVassalLauncher
{
    private readonly int _selfPid = Environment.ProcessId;

    public void Forget(int pid) => guardian?.Untrack(pid);

    public unsafe LaunchResult Launch(LaunchRequest request, Action<int, int> onExit)
    {
        int* pair = stackalloc int[2];
        if (Sys.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0, pair) != 0)
        {
            return new LaunchResult(null, "socketpair() failed: " + Sys.strerror(Marshal.GetLastPInvokeError()));
        }

        int parentEnd = pair[0], childEnd = pair[1];
        int configParent = -1, configChild = -1;
        if (request.InlineConfig is not null)
        {
            if (Sys.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0, pair) != 0)
            {
                Sys.close(parentEnd);
                Sys.close(childEnd);
                return new LaunchResult(null, "socketpair() failed: " + Sys.strerror(Marshal.GetLastPInvokeError()));
            }

            configParent = pair[0];
            configChild = pair[1];
        }

        var keep = configChild >= 0 ? new[] { childEnd, configChild } : new[] { childEnd };
        var self = request.Executable == selfExecutable;
        var spec = new ChildSetupSpec(
            _selfPid,
            request.Arguments.Count > 0 ? request.Arguments[^1] : "?",
            self ? null : request.Executable,
            request.Arguments.Count > 0 ? request.Arguments[0] : request.Executable,
            keep,
            request.Uid,
            request.Gid,
            request.Uid is { } uid ? Accounts.Accounts.TyrantGroups((uint)uid, (uint)(request.Gid ?? 0)) : []);

        var psi = new ProcessStartInfo(selfExecutable)
        {
            UseShellExecute = false,
            WorkingDirectory = request.WorkingDirectory,
        };
        foreach (var arg in request.Arguments.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        foreach (var (key, value) in request.Environment)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["UWSGI_EMPEROR_FD"] = childEnd.ToString(CultureInfo.InvariantCulture);
        if (configChild >= 0)
        {
            psi.Environment["UWSGI_EMPEROR_FD_CONFIG"] = configChild.ToString(CultureInfo.InvariantCulture);
        }

        psi.Environment[ChildSetupSpec.VariableName] = spec.Encode();

        foreach (var fd in keep)
        {
            Sys.fcntl(fd, Sys.F_SETFD, 0);
        }

        Process process;
        try
        {
            process = new Process { StartInfo = psi, EnableRaisingEvents = true };
            process.Exited += (_, _) =>
            {
                int code;
                try
                {
                    code = process.ExitCode;
                }
                catch (InvalidOperationException)
                {
                    code = -1;
                }

                onExit(process.Id, code);
            };
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            Sys.close(parentEnd);
            Sys.close(childEnd);
            if (configChild >= 0)
            {
                Sys.close(configParent);
                Sys.close(configChild);
            }

            return new LaunchResult(null, e.Message);
        }
        finally
        {
            Sys.close(childEnd);
            if (configChild >= 0)
            {
                Sys.close(configChild);
            }
        }

        SocketLink? configLink = null;
        if (configParent >= 0)
        {
            configLink = new SocketLink(configParent);
            var frame = ConfigFrame.Build(request.InlineConfig!);
            _ = configLink.SendAllAsync(frame, CancellationToken.None).ContinueWith(
                static t => _ = t.Exception, TaskScheduler.Default);
        }

        guardian?.Track(process.Id); // the child leads its own group (setsid in ChildSetup): pgid == pid
        return new LaunchResult(new VassalProcess(process, new SocketLink(parentEnd), configLink), null);
    }
}
