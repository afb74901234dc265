using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Net;

/// <summary>
/// One thread in epoll over the on-demand sockets: each registration fires once (the fd is removed from the set
/// before its callback runs), so a pending connection costs one wake-up, not a busy loop while the vassal starts.
/// </summary>
internal sealed class ReadinessWatcher : IReadinessWatcher, IDisposable
{
    private readonly int _epoll;
    private readonly ConcurrentDictionary<int, Registration> _byFd = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    public ReadinessWatcher()
    {
        _epoll = Sys.epoll_create1(Sys.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1() failed: " + Sys.strerror(Marshal.GetLastPInvokeError()));
        }

        _thread = new Thread(Run) { Name = "emperor-on-demand", IsBackground = true };
        _thread.Start();
    }

    public unsafe IDisposable WatchOnce(int fd, Action onReadable)
    {
        var registration = new Registration(this, fd, onReadable);
        if (!_byFd.TryAdd(fd, registration))
        {
            throw new InvalidOperationException($"fd {fd} is already watched");
        }

        var ev = stackalloc byte[16];
        *(uint*)ev = Sys.EPOLLIN;
        *(long*)(ev + Sys.EpollDataOffset) = fd;
        if (Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_ADD, fd, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _byFd.TryRemove(fd, out _);
            throw new InvalidOperationException($"epoll_ctl(on-demand socket fd {fd}) failed: {Sys.strerror(errno)}");
        }

        return registration;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _thread.Join();
        Sys.close(_epoll);
    }

    private unsafe void Run()
    {
        const int Max = 64;
        var events = stackalloc byte[Max * 16];
        while (!_disposed)
        {
            var n = Sys.epoll_wait(_epoll, events, Max, 1000);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Sys.EINTR)
                {
                    continue;
                }

                return;
            }

            for (var i = 0; i < n; i++)
            {
                var fd = (int)*(long*)(events + (i * Sys.EpollEventBytes) + Sys.EpollDataOffset);
                if (Remove(fd) is { } fired)
                {
                    fired.OnReadable();
                }
            }
        }
    }

    private unsafe Registration? Remove(int fd)
    {
        if (!_byFd.TryRemove(fd, out var registration))
        {
            return null;
        }

        Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_DEL, fd, null);
        return registration;
    }

    private sealed class Registration(ReadinessWatcher owner, int fd, Action onReadable) : IDisposable
    {
        public Action OnReadable => onReadable;

        public unsafe void Dispose()
        {
            if (owner._byFd.TryRemove(new KeyValuePair<int, Registration>(fd, this)))
            {
                Sys.epoll_ctl(owner._epoll, Sys.EPOLL_CTL_DEL, fd, null);
            }
        }
    }
}
