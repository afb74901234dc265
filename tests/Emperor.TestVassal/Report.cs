using System.Globalization;
using System.Text;

namespace Emperor.TestVassal;

/// <summary>
/// What the dummy saw at startup, written for tests to assert on (<c>--report FILE</c>).
/// </summary>
/// <remarks>
/// Format (parsed by <c>Emperor.Testing.ReportFile</c>; change both together):
/// <code>
/// UTF-8 text, one key=value per line, '\n' line ends. The key is everything before the first '=',
/// the value everything after it. Values, and the NAME in env.NAME, are escaped to stay on one
/// line: '\' -> "\\", LF -> "\n", CR -> "\r". Written to FILE.tmp.PID, then renamed over FILE, so a
/// reader never sees half a report. Keys, in this order:
///   version=1
///   exec_id=GUID            new for every exec: a reload (byte 1) keeps pid but changes exec_id
///   pid, ppid, pgid, sid    decimal
///   uid, gid, euid, egid    decimal
///   groups=G1,G2            supplementary groups, ascending, comma separated, may be empty
///   cwd=PATH
///   umask=0022              octal, from /proc/self/status
///   rlimit.nofile.soft, rlimit.nofile.hard, rlimit.nproc.soft, rlimit.nproc.hard,
///   rlimit.as.soft, rlimit.as.hard       decimal, or "unlimited". NB: the .NET runtime raises the
///                           soft NOFILE limit to the hard one before main, so only nofile.hard is
///                           what the parent set; and .NET needs a few GiB of address space to start
///   pdeathsig=N             PR_GET_PDEATHSIG; 0 = none
///   signals.blocked=HEX, signals.ignored=HEX     SigBlk / SigIgn of /proc/self/status (the runtime
///                           itself ignores SIGPIPE, bit 0x1000, before main)
///   fds=0,1,2,3             fds open when main() started, ascending (the runtime's own included)
///   fds.inherited=0,1,2,3   the subset without FD_CLOEXEC: the fds that came through exec
///                           (the .NET runtime opens all of its own fds with O_CLOEXEC)
///   fd.N=TARGET             readlink of /proc/self/fd/N for each fd in fds (socket:[123], /dev/null)
///   child=PID               only with --spawn-child: the grandchild it started
///   argc=N
///   argv.I=ARG              raw argv of this exec from /proc/self/cmdline; argv.0 is the program
///   env.NAME=VALUE          each environment entry, raw from /proc/self/environ, in order
/// </code>
/// </remarks>
internal static unsafe class Report
{
    public static List<KeyValuePair<string, string>> Collect()
    {
        var entries = new List<KeyValuePair<string, string>>();
        void Add(string key, string value) => entries.Add(new(key, value));
        string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);

        var status = ReadStatus();
        Add("version", "1");
        Add("exec_id", Guid.NewGuid().ToString("N"));
        Add("pid", Dec(Environment.ProcessId));
        Add("ppid", Dec(Libc.getppid()));
        Add("pgid", Dec(Libc.getpgrp()));
        Add("sid", Dec(Libc.getsid(0)));
        Add("uid", Dec(Libc.getuid()));
        Add("gid", Dec(Libc.getgid()));
        Add("euid", Dec(Libc.geteuid()));
        Add("egid", Dec(Libc.getegid()));
        Add("groups", string.Join(',', Groups().Select(g => Dec(g))));
        Add("cwd", Directory.GetCurrentDirectory());
        Add("umask", status.GetValueOrDefault("Umask", "?"));
        foreach (var (name, resource) in new[] { ("nofile", Libc.RlimitNofile), ("nproc", Libc.RlimitNproc), ("as", Libc.RlimitAs) })
        {
            var (soft, hard) = Rlimit(resource);
            Add($"rlimit.{name}.soft", soft);
            Add($"rlimit.{name}.hard", hard);
        }

        var pdeathsig = 0;
        _ = Libc.prctl(Libc.PrGetPdeathsig, (nint)(&pdeathsig));
        Add("pdeathsig", Dec(pdeathsig));
        Add("signals.blocked", status.GetValueOrDefault("SigBlk", "?"));
        Add("signals.ignored", status.GetValueOrDefault("SigIgn", "?"));

        var fds = OpenFds();
        Add("fds", string.Join(',', fds.Keys));
        Add("fds.inherited", string.Join(',', fds.Keys.Where(fd => (Libc.fcntl(fd, Libc.FGetFd, 0) & Libc.FdCloexec) == 0)));
        foreach (var (fd, target) in fds)
        {
            Add($"fd.{fd}", target);
        }

        var argv = SplitNul(File.ReadAllBytes("/proc/self/cmdline"));
        Add("argc", Dec(argv.Count));
        for (var i = 0; i < argv.Count; i++)
        {
            Add($"argv.{i}", argv[i]);
        }

        foreach (var entry in SplitNul(File.ReadAllBytes("/proc/self/environ")))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            Add("env." + Escape(equals < 0 ? entry : entry[..equals]), equals < 0 ? "" : entry[(equals + 1)..]);
        }

        return entries;
    }

    /// <summary>Writes atomically: a temp file in the same directory, then rename(2) over the target.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> entries)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in entries)
        {
            // Keys are generated here (env names are escaped when collected); values are escaped now.
            text.Append(key).Append('=').Append(Escape(value)).Append('\n');
        }

        var temp = $"{path}.tmp.{Environment.ProcessId}";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, path, overwrite: true);
    }

    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("\n", "\\n", StringComparison.Ordinal)
             .Replace("\r", "\\r", StringComparison.Ordinal);

    private static Dictionary<string, string> ReadStatus()
    {
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines("/proc/self/status"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                status[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }

        return status;
    }

    private static uint[] Groups()
    {
        var count = Libc.getgroups(0, null);
        var groups = new uint[Math.Max(count, 0)];
        fixed (uint* p = groups)
        {
            count = Libc.getgroups(groups.Length, p);
        }

        return [.. groups.Take(Math.Max(count, 0)).Order()];
    }

    private static (string Soft, string Hard) Rlimit(int resource)
    {
        var limits = stackalloc ulong[2];
        if (Libc.getrlimit(resource, limits) != 0)
        {
            return ("?", "?");
        }

        static string Format(ulong v) => v == ulong.MaxValue ? "unlimited" : v.ToString(CultureInfo.InvariantCulture);
        return (Format(limits[0]), Format(limits[1]));
    }

    private static SortedDictionary<int, string> OpenFds()
    {
        // The directory enumeration holds its own fd while it runs; that fd is closed by the time
        // we readlink, so its entry has no target and is skipped.
        var fds = new SortedDictionary<int, string>();
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                && TryReadLink(entry) is { } target)
            {
                fds[fd] = target;
            }
        }

        return fds;
    }

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static List<string> SplitNul(byte[] block)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < block.Length; i++)
        {
            if (block[i] == 0)
            {
                parts.Add(Encoding.UTF8.GetString(block, start, i - start));
                start = i + 1;
            }
        }

        if (start < block.Length)
        {
            parts.Add(Encoding.UTF8.GetString(block, start, block.Length - start));
        }

        return parts;
    }
}
