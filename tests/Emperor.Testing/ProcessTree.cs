using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Emperor.Testing;

/// <summary>
/// Read-only questions about processes, answered from /proc (Linux), plus signalling by pid.
/// Every answer is a snapshot: processes come and go while /proc is read, so a vanished pid is
/// skipped, never an error.
/// </summary>
public static class ProcessTree
{
    /// <summary>Every process (thread-group leaders; /proc lists no other threads at the top level).</summary>
    public static IReadOnlyList<ProcessStat> All()
    {
        var all = new List<ProcessStat>();
        foreach (var pid in Pids())
        {
            if (TryReadStat(pid) is { } stat)
            {
                all.Add(stat);
            }
        }

        return all;
    }

    /// <summary>/proc/PID/stat, or null if the process is gone.</summary>
    public static ProcessStat? TryReadStat(int pid)
    {
        var text = TryReadText($"/proc/{pid}/stat");

        // "pid (comm) S ppid pgrp session ...": comm may hold spaces and parentheses, so split after the last ')'.
        var close = text?.LastIndexOf(')') ?? -1;
        if (text is null || close < 0)
        {
            return null;
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        var fields = text[(close + 2)..].Split(' ');
        return new ProcessStat(
            pid,
            text[(open + 1)..close],
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>True if the pid exists and is not a zombie.</summary>
    public static bool IsRunning(int pid) => TryReadStat(pid) is { IsZombie: false };

    public static IReadOnlyList<int> Children(int pid) =>
        [.. All().Where(p => p.ParentPid == pid).Select(p => p.Pid)];

    /// <summary>Children, grandchildren, ... of <paramref name="pid"/> (zombies included), breadth first.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var byParent = All().ToLookup(p => p.ParentPid, p => p.Pid);
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var child in byParent[parent])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Children of <paramref name="pid"/> that have exited but have not been reaped.</summary>
    public static IReadOnlyList<int> ZombieChildren(int pid) =>
        [.. All().Where(p => p.ParentPid == pid && p.IsZombie).Select(p => p.Pid)];

    /// <summary>
    /// Processes whose environment holds exactly <paramref name="entry"/> (<c>NAME=value</c>), e.g. a
    /// test's token. Zombies are never found (their environment is gone), and processes we may not
    /// read are skipped.
    /// </summary>
    public static IReadOnlyList<int> WithEnvironmentEntry(string entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry);
        var needle = Encoding.UTF8.GetBytes(entry);
        var found = new List<int>();
        foreach (var pid in Pids())
        {
            if (TryReadBytes($"/proc/{pid}/environ") is { } environ && HasEntry(environ, needle))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>The fds a process has open, with their readlink targets (socket:[123], /dev/null, ...).</summary>
    public static IReadOnlyDictionary<int, string> OpenFds(int pid)
    {
        var fds = new SortedDictionary<int, string>();
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries($"/proc/{pid}/fd");
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return fds;
        }

        foreach (var entry in entries)
        {
            // When pid is this process, the enumeration's own directory fd is listed too; it is closed
            // by now, so it has no target and drops out.
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                && TryReadLink(entry) is { } target)
            {
                fds[fd] = target;
            }
        }

        return fds;
    }

    public static int OpenFdCount(int pid) => OpenFds(pid).Count;

    /// <summary>One line describing a process for failure messages: pid, state, ppid, pgid, cmdline.</summary>
    public static string Describe(int pid)
    {
        var stat = TryReadStat(pid);
        if (stat is not { } s)
        {
            return $"pid {pid} (gone)";
        }

        var cmdline = TryReadText($"/proc/{pid}/cmdline")?.Replace('\0', ' ').Trim();
        return $"pid {pid} ({s.Command}) state {s.State} ppid {s.ParentPid} pgid {s.ProcessGroup}: {(string.IsNullOrEmpty(cmdline) ? "?" : cmdline)}";
    }

    /// <summary>
    /// kill(pid, signal). Returns false if the process is already gone (ESRCH). Refuses pids that
    /// would address more than one process or this test process itself.
    /// </summary>
    public static bool Kill(int pid, int signal)
    {
        if (pid <= 0 || pid == Environment.ProcessId)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "Refusing to signal this process, a group or every process; pass a child's pid.");
        }

        return Signal(pid, signal);
    }

    /// <summary>kill(-pgid, signal): the whole process group. Refuses this test process's own group.</summary>
    public static bool KillGroup(int pgid, int signal)
    {
        if (pgid <= 1 || pgid == Libc.getpgrp())
        {
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "Refusing to signal this test process's own process group (or an invalid one).");
        }

        return Signal(-pgid, signal);
    }

    private static bool Signal(int target, int signal)
    {
        if (Libc.kill(target, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.Esrch
            ? false
            : throw new InvalidOperationException($"kill({target}, {signal}) failed with errno {errno}.");
    }

    private static IEnumerable<int> Pids()
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    private static bool HasEntry(byte[] environ, byte[] needle)
    {
        ReadOnlySpan<byte> rest = environ;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)0);
            var entry = end < 0 ? rest : rest[..end];
            if (entry.SequenceEqual(needle))
            {
                return true;
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return false;
    }

    private static string? TryReadText(string path) =>
        TryReadBytes(path) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    private static byte[]? TryReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
