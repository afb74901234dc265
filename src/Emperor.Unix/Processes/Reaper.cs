using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Emperor.Core.Vassals;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// Reaps the children the spawner started: one thread waits in epoll on their pidfds (a pidfd becomes readable
/// when its process exits) and collects each exit with <c>waitid(P_PIDFD)</c>, which gives the real status — an exit
/// code or the signal that killed it, never the ambiguous "128 + N" of <c>Process.ExitCode</c>.
/// </summary>
/// <remarks>
/// Implementation notes. The reaper owns every pidfd it is given and closes it after the exit. Callbacks run on the
/// reaper thread and must only post. The runtime reaps with <c>waitpid(-1)</c> when it runs as PID 1 or started with
/// SIGCHLD ignored: the Emperor never runs so — as PID 1 a minimal init runs in front of it (<see cref="InitShim"/>), and
/// an ignored SIGCHLD is reset at start (<c>InheritedSignals</c>). Should waitid still see ECHILD, the exit is reported
/// with an unknown status, never invented.
/// </remarks>
internal sealed class Reaper : IDisposable
{
    private readonly int _epoll;
    private readonly ConcurrentDictionary<int, Watched> _byPidfd = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    public Reaper()
    {
        _epoll = Sys.epoll_create1(Sys.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1() failed: " + Sys.strerror(Marshal.GetLastPInvokeError()));
        }

        _thread = new Thread(Run) { Name = "emperor-reaper", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Children being watched.</summary>
    public int Count => _byPidfd.Count;

    /// <summary>Watches <paramref name="pid"/> through its <paramref name="pidfd"/> (now owned by the reaper).</summary>
    public unsafe void Watch(int pid, SafeFd pidfd, Action<int, VassalExit> onExit)
    {
        var fd = pidfd.Release();
        _byPidfd[fd] = new Watched(pid, onExit);
        var ev = stackalloc byte[16];
        *(uint*)ev = Sys.EPOLLIN;
        *(long*)(ev + Sys.EpollDataOffset) = fd;
        if (Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_ADD, fd, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _byPidfd.TryRemove(fd, out _);
            Sys.close(fd);
            throw new InvalidOperationException($"epoll_ctl(pidfd of {pid}) failed: {Sys.strerror(errno)}");
        }
    }

    private unsafe void Run()
    {
        const int Max = 64;
        var events = stackalloc byte[Max * 16];
        var info = stackalloc byte[Sys.SiginfoBytes];
        while (!_disposed)
        {
            var n = Sys.epoll_wait(_epoll, events, Max, 1000);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Sys.EINTR)
                {
                    continue;
                }

                return; // the epoll fd is gone: disposed
            }

            for (var i = 0; i < n; i++)
            {
                var fd = (int)*(long*)(events + (i * Sys.EpollEventBytes) + Sys.EpollDataOffset);
                Collect(fd, info);
            }
        }
    }

    private unsafe void Collect(int pidfd, byte* info)
    {
        if (!_byPidfd.TryGetValue(pidfd, out var watched))
        {
            return;
        }

        new Span<byte>(info, Sys.SiginfoBytes).Clear();
        VassalExit exit;
        if (Sys.waitid(Sys.P_PIDFD, pidfd, info, Sys.WEXITED | Sys.WNOHANG) == 0)
        {
            if (*(int*)(info + Sys.SiPidOffset) == 0)
            {
                return; // readable but not yet reapable: wait for the next wake-up
            }

            var code = *(int*)(info + Sys.SiCodeOffset);
            var status = *(int*)(info + Sys.SiStatusOffset);
            exit = code == Sys.CLD_EXITED ? VassalExit.Exited(status) : VassalExit.Killed(status);
        }
        else
        {
            exit = VassalExit.Unknown; // ECHILD: someone else reaped it (the runtime as PID 1)
        }

        Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_DEL, pidfd, null);
        _byPidfd.TryRemove(pidfd, out _);
        Sys.close(pidfd);
        watched.OnExit(watched.Pid, exit);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _thread.Join();
        foreach (var fd in _byPidfd.Keys)
        {
            Sys.close(fd);
        }

        Sys.close(_epoll);
    }

    private sealed record Watched(int Pid, Action<int, VassalExit> OnExit);
}
