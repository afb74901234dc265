using System.Runtime.InteropServices;
using Emperor.Core.Logs;
using Emperor.Unix.Interop;
using Emperor.Unix.Processes;

namespace Emperor.Unix.Logs;

/// <summary>
/// The two pipes of one vassal start: the child gets the write ends as its fds 1 and 2 (posix_spawn's
/// <c>adddup2</c>), the Emperor keeps the read ends, non-blocking, for <see cref="OutputCapture"/>. Every end is
/// created close-on-exec, so no other child can inherit one. Disposing closes what was not handed over: the write
/// ends always (the child has its copies, or there is no child), the read ends unless <see cref="Attach"/> took them.
/// </summary>
internal sealed class OutputPipes : IDisposable
{
    private readonly OutputCapture _capture;
    private readonly string _vassal;
    private SafeFd? _stdoutRead;
    private SafeFd? _stderrRead;
    private SafeFd? _stdoutWrite;
    private SafeFd? _stderrWrite;

    private OutputPipes(OutputCapture capture, string vassal)
    {
        _capture = capture;
        _vassal = vassal;
    }

    /// <summary>The child's stdout (the write end of the first pipe).</summary>
    public int ChildStdout => _stdoutWrite!.Fd;

    /// <summary>The child's stderr.</summary>
    public int ChildStderr => _stderrWrite!.Fd;

    /// <summary>Pipes for <paramref name="vassal"/>, or null with the reason (EMFILE and the like).</summary>
    public static OutputPipes? Open(OutputCapture? capture, string? vassal, out string? error)
    {
        error = null;
        if (capture is null || vassal is null)
        {
            return null;
        }

        var pipes = new OutputPipes(capture, vassal);
        if (!TryPipe(out pipes._stdoutRead, out pipes._stdoutWrite, out error) || !TryPipe(out pipes._stderrRead, out pipes._stderrWrite, out error))
        {
            pipes.Dispose();
            return null;
        }

        return pipes;
    }

    /// <summary>The child <paramref name="pid"/> started: the capture owns the read ends from now on.</summary>
    public void Attach(int pid)
    {
        _capture.Attach(_vassal, pid, VassalStream.Stdout, _stdoutRead!.Release());
        _capture.Attach(_vassal, pid, VassalStream.Stderr, _stderrRead!.Release());
        _stdoutRead = _stderrRead = null;
    }

    public void Dispose()
    {
        _stdoutWrite?.Dispose();
        _stderrWrite?.Dispose();
        _stdoutRead?.Dispose();
        _stderrRead?.Dispose();
    }

    private static unsafe bool TryPipe(out SafeFd? read, out SafeFd? write, out string? error)
    {
        int* fds = stackalloc int[2];
        if (Sys.pipe2(fds, Sys.O_CLOEXEC) != 0)
        {
            error = "pipe2() for the vassal's output failed: " + Sys.strerror(Marshal.GetLastPInvokeError());
            read = write = null;
            return false;
        }

        read = new SafeFd(fds[0]);
        write = new SafeFd(fds[1]);

        // Only the Emperor's end is non-blocking: the vassal writes to a plain blocking pipe, as to a terminal.
        Sys.fcntl(fds[0], Sys.F_SETFL, Sys.fcntl(fds[0], Sys.F_GETFL, 0) | Sys.O_NONBLOCK);
        error = null;
        return true;
    }
}
