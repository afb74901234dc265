using System.Runtime.InteropServices;
using System.Text;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Cgroups;

/// <summary>Small reads and writes in the cgroup file system, with the errno text of a failure (never an exception).</summary>
internal static class CgroupFiles
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="file"/> in one write(2); null, or "open(F): ERR" / "write(F): ERR".</summary>
    public static unsafe string? Write(string file, string value)
    {
        var fd = Sys.open(file, Sys.O_WRONLY | Sys.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return $"open({file}): {Sys.strerror(Marshal.GetLastPInvokeError())}";
        }

        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                return Sys.write(fd, p, (nuint)bytes.Length) == bytes.Length
                    ? null
                    : $"write({file}): {Sys.strerror(Marshal.GetLastPInvokeError())}";
            }
        }
        finally
        {
            Sys.close(fd);
        }
    }

    /// <summary>
    /// The file's text, or null when it cannot be read (absent on this kernel, or the cgroup is gone). Control files
    /// are small and read in one go: open, read(2) into a stack buffer, close (a FileStream costs several times as much,
    /// and stats read five files per vassal).
    /// </summary>
    public static unsafe string? Read(string file)
    {
        var fd = Sys.open(file, Sys.O_CLOEXEC, 0); // O_RDONLY is 0
        if (fd < 0)
        {
            return null;
        }

        try
        {
            const int Size = 4096;
            var buffer = stackalloc byte[Size];
            var total = 0;
            StringBuilder? more = null;
            while (true)
            {
                var n = Sys.read(fd, buffer + total, (nuint)(Size - total));
                if (n < 0)
                {
                    return null;
                }

                if (n == 0)
                {
                    break;
                }

                total += (int)n;
                if (total == Size)
                {
                    // A large file (cgroup.procs of a big cgroup): keep what we have and go on.
                    (more ??= new StringBuilder()).Append(Encoding.UTF8.GetString(buffer, total));
                    total = 0;
                }
            }

            var tail = Encoding.UTF8.GetString(buffer, total);
            return more is null ? tail : more.Append(tail).ToString();
        }
        finally
        {
            Sys.close(fd);
        }
    }

    /// <summary>mkdir(2) of one directory; true when it exists afterwards, else the errno text.</summary>
    public static bool MakeDirectory(string path, out string? error, out bool created)
    {
        error = null;
        created = Sys.mkdir(path, Convert.ToUInt32("755", 8)) == 0;
        if (created)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Sys.EEXIST)
        {
            return true;
        }

        error = $"mkdir({path}): {Sys.strerror(errno)}";
        return false;
    }

    /// <summary>mkdir -p, with the directories it created (top first).</summary>
    public static bool MakeDirectories(string path, List<string> created, out string? error)
    {
        error = null;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = string.Empty;
        foreach (var part in parts)
        {
            current += "/" + part;
            if (Directory.Exists(current))
            {
                continue;
            }

            if (!MakeDirectory(current, out error, out var made))
            {
                return false;
            }

            if (made)
            {
                created.Add(current);
            }
        }

        return true;
    }

    /// <summary>The pids listed in a <c>cgroup.procs</c> file (none when it cannot be read).</summary>
    public static List<int> Pids(string procsFile)
    {
        var pids = new List<int>();
        foreach (var line in (Read(procsFile) ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }
}
