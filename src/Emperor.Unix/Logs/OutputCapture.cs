using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Emperor.Core.Logs;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Logs;

/// <summary>
/// Reads every vassal's stdout and stderr: one thread waits in epoll on the read ends of their pipes
/// (<see cref="OutputPipes"/>), reads what is there without blocking, cuts it into lines
/// (<see cref="LineSplitter"/>) and hands each line to <c>publish</c>, which must never block (the log hub only
/// copies into bounded buffers). The event loop is never involved, so a vassal that prints 100 MB cannot delay it.
/// </summary>
/// <remarks>
/// Implementation notes. epoll is level-triggered and each wake-up reads at most <see cref="ReadsPerWake"/> buffers
/// from one pipe, so one chatty vassal cannot starve the others. A pipe is read until EOF — every holder of its
/// write end closed it (the vassal, and any child it left behind) — and its unfinished last line is published then;
/// the vassal's exit alone does not close it, so nothing the vassal wrote before it died is lost. Disposing reads
/// what the pipes still hold, publishes the partial lines, and closes them.
/// </remarks>
internal sealed class OutputCapture : IDisposable
{
    private const int BufferBytes = 64 * 1024;
    private const int ReadsPerWake = 4;

    /// <summary>A larger pipe than the kernel's 64 KiB default absorbs a burst while the reader is busy elsewhere.</summary>
    private const int PipeBytes = 1024 * 1024;

    private readonly Action<VassalLogLine> _publish;
    private readonly TimeProvider _time;
    private readonly int _epoll;
    private readonly ConcurrentDictionary<int, Pipe> _pipes = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    public OutputCapture(Action<VassalLogLine> publish, TimeProvider time)
    {
        _publish = publish;
        _time = time;
        _epoll = Sys.epoll_create1(Sys.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1() failed: " + Sys.strerror(Marshal.GetLastPInvokeError()));
        }

        _thread = new Thread(Run) { Name = "emperor-output", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Pipes still open (a vassal, or something it left behind, may still write).</summary>
    public int OpenPipes => _pipes.Count;

    /// <summary>Reads <paramref name="fd"/> (a non-blocking read end, now owned by the capture) until EOF.</summary>
    public unsafe void Attach(string vassal, int pid, VassalStream stream, int fd)
    {
        _ = Sys.fcntl(fd, Sys.F_SETPIPE_SZ, PipeBytes); // best effort: the default size works too
        _pipes[fd] = new Pipe(vassal, pid, stream);
        var ev = stackalloc byte[16];
        *(uint*)ev = Sys.EPOLLIN;
        *(long*)(ev + Sys.EpollDataOffset) = fd;
        if (Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_ADD, fd, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _pipes.TryRemove(fd, out _);
            Sys.close(fd);
            throw new InvalidOperationException($"epoll_ctl(output of {vassal}) failed: {Sys.strerror(errno)}");
        }
    }

    private unsafe void Run()
    {
        const int Max = 256;
        var events = stackalloc byte[Max * 16];
        var buffer = new byte[BufferBytes];
        while (!_disposed)
        {
            var n = Sys.epoll_wait(_epoll, events, Max, 200);
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
                if (_pipes.TryGetValue(fd, out var pipe))
                {
                    Drain(fd, pipe, buffer, ReadsPerWake);
                }
            }
        }
    }

    /// <summary>Reads up to <paramref name="reads"/> buffers; at EOF (or a read error) publishes the rest and closes.</summary>
    private unsafe void Drain(int fd, Pipe pipe, byte[] buffer, int reads)
    {
        for (var r = 0; r < reads; r++)
        {
            nint got;
            fixed (byte* p = buffer)
            {
                got = Sys.read(fd, p, (nuint)buffer.Length);
            }

            if (got > 0)
            {
                var now = _time.GetUtcNow();
                pipe.Splitter.Feed(buffer.AsSpan(0, (int)got), text => _publish(new VassalLogLine(now, pipe.Vassal, pipe.Pid, pipe.Stream, text)));
                continue;
            }

            if (got < 0 && Marshal.GetLastPInvokeError() is Sys.EAGAIN or Sys.EINTR)
            {
                return;
            }

            Close(fd, pipe);
            return;
        }
    }

    private unsafe void Close(int fd, Pipe pipe)
    {
        if (pipe.Splitter.Flush() is { } rest)
        {
            _publish(new VassalLogLine(_time.GetUtcNow(), pipe.Vassal, pipe.Pid, pipe.Stream, rest));
        }

        Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_DEL, fd, null);
        _pipes.TryRemove(fd, out _);
        Sys.close(fd);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _thread.Join();
        var buffer = new byte[BufferBytes];
        foreach (var (fd, pipe) in _pipes)
        {
            Drain(fd, pipe, buffer, 64); // what the pipe holds, not what a leftover child keeps writing
            if (_pipes.ContainsKey(fd))
            {
                Close(fd, pipe); // still open elsewhere: publish what we have and let go
            }
        }

        Sys.close(_epoll);
    }

    private sealed class Pipe(string vassal, int pid, VassalStream stream)
    {
        public string Vassal { get; } = vassal;

        public int Pid { get; } = pid;

        public VassalStream Stream { get; } = stream;

        public LineSplitter Splitter { get; } = new();
    }
}
