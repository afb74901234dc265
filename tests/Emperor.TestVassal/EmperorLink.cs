using System.Globalization;
using System.Runtime.InteropServices;

namespace Emperor.TestVassal;

/// <summary>
/// The vassal end of the emperor link (spec §7): single raw bytes on the inherited socketpair end
/// whose number is in <c>UWSGI_EMPEROR_FD</c>.
/// </summary>
/// <remarks>
/// Implementation notes: plain blocking read(2)/write(2) on the raw fd. One background thread reads;
/// sends may come from any thread (one-byte writes are atomic). The fd gets FD_CLOEXEC while we
/// run, so a grandchild from <c>--spawn-child</c> does not hold the link (which would hide EOF from
/// the Emperor); the flag is cleared again right before the reload re-exec, which must keep the
/// link at the same number, as uWSGI keeps it across its own reloads (§7.1).
/// </remarks>
internal sealed unsafe class EmperorLink
{
    public const byte Stop = 0;
    public const byte Reload = 1;
    public const byte GracefulStop = 2;

    private readonly int _fd;
    private readonly bool _reloadExit;

    /// <summary>The parent-death signal as set on the main thread (Linux keeps it per thread; new threads have 0).</summary>
    private readonly int _pdeathsig;

    private EmperorLink(int fd, bool reloadExit)
    {
        _fd = fd;
        _reloadExit = reloadExit;
        int sig;
        _ = Libc.prctl(Libc.PrGetPdeathsig, (nint)(&sig));
        _pdeathsig = sig;
    }

    /// <summary>Opens the link named by UWSGI_EMPEROR_FD, or returns null after logging why not.</summary>
    public static EmperorLink? Open(bool reloadExit)
    {
        var text = Environment.GetEnvironmentVariable("UWSGI_EMPEROR_FD");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
        {
            Log.Line($"--protocol needs UWSGI_EMPEROR_FD=<fd number>, got '{text}'");
            return null;
        }

        if (Libc.fcntl(fd, Libc.FSetFd, Libc.FdCloexec) != 0)
        {
            Log.Line($"UWSGI_EMPEROR_FD={fd} is not an open fd (errno {Marshal.GetLastPInvokeError()})");
            return null;
        }

        return new EmperorLink(fd, reloadExit);
    }

    public void Send(byte value)
    {
        nint written;
        do
        {
            written = Libc.write(_fd, &value, 1);
        }
        while (written < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr);

        if (written != 1)
        {
            Log.Line($"cannot send byte {value} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public void StartReader() => new Thread(ReadLoop) { IsBackground = true, Name = "emperor-link" }.Start();

    private void ReadLoop()
    {
        while (true)
        {
            byte value;
            var n = Libc.read(_fd, &value, 1);
            if (n == 1)
            {
                Log.Line($"received byte {value}");
                Obey(value);
            }
            else if (n == 0)
            {
                Log.Line("lost connection with my emperor (EOF on the link), exiting with 1");
                Environment.Exit(1);
            }
            else if (Marshal.GetLastPInvokeError() != Libc.Eintr)
            {
                Log.Line($"lost connection with my emperor (read errno {Marshal.GetLastPInvokeError()}), exiting with 1");
                Environment.Exit(1);
            }
        }
    }

    private void Obey(byte value)
    {
        switch (value)
        {
            case Stop:
                Log.Line("stop requested, exiting with 0");
                Environment.Exit(0);
                break;
            case GracefulStop:
                Log.Line("graceful stop requested, exiting with 0");
                Environment.Exit(0);
                break;
            case Reload when _reloadExit:
                Log.Line("reload requested, exiting with 0 (--reload-exit)");
                Environment.Exit(0);
                break;
            case Reload:
                Log.Line("reload requested, re-executing in place");
                ReExec();
                break;
            default:
                break;
        }
    }

    /// <summary>execve(/proc/self/exe) with this exec's raw argv and environment: same pid, new image.</summary>
    private void ReExec()
    {
        var argv = WithTrailingNul(File.ReadAllBytes("/proc/self/cmdline"));
        var envp = WithTrailingNul(File.ReadAllBytes("/proc/self/environ"));
        _ = Libc.fcntl(_fd, Libc.FSetFd, 0);

        // execve runs from this reader thread, whose own parent-death signal is 0: carry the main thread's over,
        // as a uWSGI master keeps its PDEATHSIG across its in-place reload.
        _ = Libc.prctl(Libc.PrSetPdeathsig, _pdeathsig);
        fixed (byte* path = "/proc/self/exe\0"u8)
        fixed (byte* argBlock = argv)
        fixed (byte* envBlock = envp)
        fixed (nint* argPointers = Pointers(argBlock, argv.Length))
        fixed (nint* envPointers = Pointers(envBlock, envp.Length))
        {
            _ = Libc.execve(path, (byte**)argPointers, (byte**)envPointers);
        }

        Log.Line($"re-exec failed (errno {Marshal.GetLastPInvokeError()}), exiting with 1");
        Environment.Exit(1);
    }

    private static byte[] WithTrailingNul(byte[] block) =>
        block.Length == 0 || block[^1] == 0 ? block : [.. block, 0];

    /// <summary>A NULL-terminated array of pointers to the NUL-terminated strings in a block.</summary>
    private static nint[] Pointers(byte* block, int length)
    {
        var pointers = new List<nint>();
        var start = 0;
        for (var i = 0; i < length; i++)
        {
            if (block[i] == 0)
            {
                pointers.Add((nint)(block + start));
                start = i + 1;
            }
        }

        pointers.Add(0);
        return [.. pointers];
    }
}
