using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Core.VassalRole;
using Emperor.Unix.Interop;
using Emperor.Unix.Processes;

namespace Emperor.Vassal;

/// <summary>
/// A vassal's own <c>logto</c>/<c>logto2</c>/<c>daemonize</c> file, set up as uWSGI's core/logging.c <c>logto()</c>
/// does: open(O_RDWR|O_CREAT|O_APPEND, 0640) (O_TRUNC with <c>log-truncate</c>), <c>logfile-chmod</c>, then the file
/// becomes fds 1 and 2, so the program the vassal role execs writes there. With <c>log-maxsize</c> a program cannot
/// be asked to rotate its own descriptors, so fds 1 and 2 become a pipe instead, read by a small rotator process
/// (this executable again, <see cref="VassalLogRotator"/>) that appends to the file and rotates it as uWSGI's master
/// does.
/// </summary>
internal static class VassalLog
{
    /// <summary>Opens <paramref name="spec"/>'s file and makes it (or a rotator's pipe) stdout and stderr. Throws on failure.</summary>
    public static unsafe void Apply(LogSpec spec, bool rotateHere)
    {
        var flags = Sys.O_RDWR | Sys.O_CREAT | Sys.O_CLOEXEC | (spec.Truncate ? Sys.O_TRUNC : Sys.O_APPEND);
        var fd = Sys.open(spec.Path, flags, 0x1A0); // S_IRUSR | S_IWUSR | S_IRGRP, as uWSGI
        if (fd < 0)
        {
            throw new VassalFailure($"{spec.Option} {spec.Path}: open(): {Errno()}");
        }

        if (spec.Chmod is { } mode && Sys.fchmod(fd, (uint)mode) != 0)
        {
            // uWSGI logs the failure and goes on.
            Console.Error.WriteLine($"emperor: logfile-chmod {Convert.ToString(mode, 8)} {spec.Path}: fchmod(): {Errno()}");
        }

        var target = fd;
        if (rotateHere && spec.MaxSize is { } max)
        {
            var fds = stackalloc int[2];
            if (Sys.pipe2(fds, Sys.O_CLOEXEC) != 0)
            {
                throw new VassalFailure($"log-maxsize: pipe2(): {Errno()}");
            }

            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty))
                .Where(kv => kv.Key != VassalLogRotator.VariableName)
                .Append(new(VassalLogRotator.VariableName, VassalLogRotator.Encode(fd, max, spec.BackupName, spec.Path, Inheritable(fd))))
                .ToList();
            var self = Environment.ProcessPath ?? throw new VassalFailure("log-maxsize: the path of this executable is unknown");
            var pid = PosixSpawn.Start(self, [self], env, Environment.CurrentDirectory, [fd], out var errno, stdin: fds[0]);
            _ = Sys.close(fds[0]);
            _ = Sys.close(fd);
            if (pid == 0)
            {
                _ = Sys.close(fds[1]);
                throw new VassalFailure($"log-maxsize: cannot start the log rotator: {Sys.strerror(errno)}");
            }

            target = fds[1];
        }

        if (Sys.dup2(target, 1) < 0 || Sys.dup2(target, 2) < 0)
        {
            throw new VassalFailure($"{spec.Option} {spec.Path}: dup2(): {Errno()}");
        }

        _ = Sys.close(target);
    }

    /// <summary>
    /// The descriptors above 2 a spawn would hand the rotator besides its log file: the emperor link, held sockets,
    /// the sockets bound for the program. It closes them first, so it never keeps a vassal's socket or link open.
    /// </summary>
    private static List<int> Inheritable(int except)
    {
        var fds = new List<int>();
        foreach (var entry in Directory.GetFiles("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 2 && n != except
                && Sys.fcntl(n, Sys.F_GETFD, 0) is var flags && flags >= 0 && (flags & Sys.FD_CLOEXEC) == 0)
            {
                fds.Add(n);
            }
        }

        return fds;
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}

/// <summary>
/// The rotator behind a vassal's <c>log-maxsize</c>: reads the program's output from fd 0 until every writer has
/// closed it, appends it to the log file (an fd it inherited) and, once the file is larger than the limit, rotates it
/// as uWSGI's <c>uwsgi_log_do_rotate</c> does: one line "logsize: N, triggering rotation to NAME..." into the old
/// file, rename FILE to <c>log-backupname</c> (or <c>FILE.UNIXTIME</c>), open FILE anew (truncated). It rotates right
/// after the line that takes the file past the limit (uWSGI checks once a second), and never blocks the program for long: a write
/// that fails is reported once and the output read on.
/// </summary>
internal static class VassalLogRotator
{
    public const string VariableName = "EMPEROR_VASSAL_LOG_ROTATE";

    /// <summary>fd, limit, backup name, descriptors to close (comma-separated), and the path last (it may hold anything but a line break).</summary>
    public static string Encode(int fd, long maxSize, string? backupName, string path, IReadOnlyList<int> close) =>
        string.Join(
            '\n',
            fd.ToString(CultureInfo.InvariantCulture),
            maxSize.ToString(CultureInfo.InvariantCulture),
            backupName ?? string.Empty,
            string.Join(',', close.Select(c => c.ToString(CultureInfo.InvariantCulture))),
            path);

    /// <summary>Runs the rotator when this process was started as one; null otherwise.</summary>
    public static int? RunIfRequested()
    {
        var raw = Environment.GetEnvironmentVariable(VariableName);
        if (raw is null)
        {
            return null;
        }

        Environment.SetEnvironmentVariable(VariableName, null);
        var parts = raw.Split('\n', 5);
        if (parts.Length != 5 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max <= 0)
        {
            Console.Error.WriteLine($"emperor: malformed {VariableName}; the log rotator does not start");
            return 1;
        }

        // The vassal's link and sockets came along with the spawn: let go of them at once.
        foreach (var inherited in parts[3].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(inherited, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 2 && n != fd)
            {
                _ = Sys.close(n);
            }
        }

        return Run(fd, max, parts[2].Length > 0 ? parts[2] : null, parts[4]);
    }

    private static unsafe int Run(int fd, long max, string? backupName, string path)
    {
        var size = Math.Max(0, Sys.lseek(fd, 0, Sys.SEEK_END));
        var failed = false;
        var chunk = new byte[64 * 1024];
        while (true)
        {
            nint read;
            fixed (byte* p = chunk)
            {
                read = Sys.read(0, p, (nuint)chunk.Length);
            }

            if (read < 0 && Marshal.GetLastPInvokeError() == Sys.EINTR)
            {
                continue;
            }

            if (read <= 0)
            {
                return 0;
            }

            // Up to the end of the line that takes the file past the limit, rotate, go on with the rest: a rotation
            // never cuts a line in two, and lines arriving together are still written together.
            var data = chunk.AsSpan(0, (int)read);
            while (true)
            {
                var passing = (int)Math.Clamp(max - size, 0, data.Length);
                var newline = passing < data.Length ? data[passing..].IndexOf((byte)'\n') : -1;
                if (newline < 0)
                {
                    size += Write(fd, data, ref failed);
                    break;
                }

                var end = passing + newline + 1;
                size += Write(fd, data[..end], ref failed);
                size = Rotate(ref fd, size, backupName, path, max, ref failed);
                data = data[end..];
            }
        }
    }

    private static long Rotate(ref int fd, long size, string? backupName, string path, long max, ref bool failed)
    {
        var rotated = backupName ?? path + "." + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        _ = Write(fd, System.Text.Encoding.UTF8.GetBytes($"logsize: {size}, triggering rotation to {rotated}...\n"), ref failed);
        try
        {
            File.Move(path, rotated, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As uWSGI: say so and keep writing to the same file; try again once it has grown by another limit.
            Console.Error.WriteLine($"emperor: unable to rotate log {path} to {rotated}: {e.Message}");
            return size - max;
        }

        var next = Sys.open(path, Sys.O_RDWR | Sys.O_CREAT | Sys.O_TRUNC | Sys.O_APPEND | Sys.O_CLOEXEC, 0x1A0);
        if (next < 0)
        {
            Console.Error.WriteLine($"emperor: cannot reopen log {path} after rotating it: {Sys.strerror(Marshal.GetLastPInvokeError())}");
            return size - max;
        }

        _ = Sys.dup2(next, fd);
        _ = Sys.close(next);
        return 0;
    }

    private static unsafe long Write(int fd, ReadOnlySpan<byte> data, ref bool failed)
    {
        var written = 0;
        while (written < data.Length)
        {
            nint n;
            fixed (byte* p = data[written..])
            {
                n = Sys.write(fd, p, (nuint)(data.Length - written));
            }

            if (n < 0 && Marshal.GetLastPInvokeError() == Sys.EINTR)
            {
                continue;
            }

            if (n <= 0)
            {
                if (!failed)
                {
                    failed = true;
                    Console.Error.WriteLine($"emperor: cannot write the vassal's log file: {Sys.strerror(Marshal.GetLastPInvokeError())}; its output is dropped until a write works");
                }

                return written;
            }

            failed = false;
            written += (int)n;
        }

        return written;
    }
}
