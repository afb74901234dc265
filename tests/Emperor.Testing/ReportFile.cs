using System.Globalization;
using System.Text;

namespace Emperor.Testing;

/// <summary>
/// A parsed testvassal <c>--report</c> file. The format is documented in
/// tests/Emperor.TestVassal/Report.cs: <c>key=value</c> lines, values escaped (<c>\\</c>, <c>\n</c>,
/// <c>\r</c>), environment as <c>env.NAME=value</c>, argv as <c>argv.I=arg</c>, fds as <c>fd.N=target</c>.
/// Typed accessors throw <see cref="KeyNotFoundException"/> or <see cref="FormatException"/> naming the key.
/// </summary>
public sealed class ReportFile
{
    private readonly Dictionary<string, string> _values;

    private ReportFile(Dictionary<string, string> values)
    {
        _values = values;
        Environment = values.Where(kv => kv.Key.StartsWith("env.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[4..], kv => kv.Value, StringComparer.Ordinal);
        Argv = [.. Enumerable.Range(0, Int("argc")).Select(i => this[$"argv.{i}"])];
        Fds = IntList("fds");
        InheritedFds = IntList("fds.inherited");
        FdTargets = Fds.ToDictionary(fd => fd, fd => this[$"fd.{fd}"]);
    }

    /// <summary>Every key with its unescaped value.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    public string this[string key] => _values.TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"The testvassal report has no '{key}' line.");

    public int Pid => Int("pid");

    public int ParentPid => Int("ppid");

    public int ProcessGroup => Int("pgid");

    public int Session => Int("sid");

    public int Uid => Int("uid");

    public int Gid => Int("gid");

    public int EffectiveUid => Int("euid");

    public int EffectiveGid => Int("egid");

    /// <summary>Supplementary groups, ascending.</summary>
    public IReadOnlyList<int> Groups => IntList("groups");

    public string WorkingDirectory => this["cwd"];

    public int Umask => Convert.ToInt32(this["umask"], 8);

    /// <summary>
    /// RLIMIT_NOFILE. Caution: the .NET runtime raises the soft limit to the hard limit before main,
    /// so the soft value reported is the hard one; assert on <see cref="ResourceLimit.Hard"/>.
    /// </summary>
    public ResourceLimit OpenFilesLimit => Limit("nofile");

    public ResourceLimit ProcessesLimit => Limit("nproc");

    public ResourceLimit AddressSpaceLimit => Limit("as");

    /// <summary>PR_GET_PDEATHSIG: the signal sent when the parent (thread) dies; 0 for none.</summary>
    public int ParentDeathSignal => Int("pdeathsig");

    /// <summary>SigBlk. Note the .NET runtime blocks nothing on the main thread.</summary>
    public ulong BlockedSignals => ulong.Parse(this["signals.blocked"], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>SigIgn. Note the .NET runtime itself ignores SIGPIPE (bit 1 &lt;&lt; 12) before main.</summary>
    public ulong IgnoredSignals => ulong.Parse(this["signals.ignored"], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Changes on every exec, so a reload (same pid) is visible.</summary>
    public string ExecId => this["exec_id"];

    /// <summary>The grandchild started by <c>--spawn-child</c>, if any.</summary>
    public int? ChildPid => _values.ContainsKey("child") ? Int("child") : null;

    /// <summary>Fds open when testvassal's main started (the runtime's own included), ascending.</summary>
    public IReadOnlyList<int> Fds { get; }

    /// <summary>The fds without FD_CLOEXEC: the ones that came through exec.</summary>
    public IReadOnlyList<int> InheritedFds { get; }

    public IReadOnlyDictionary<int, string> FdTargets { get; }

    public IReadOnlyList<string> Argv { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public static ReportFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[Unescape(line[..equals])] = Unescape(line[(equals + 1)..]);
            }
        }

        return new ReportFile(values);
    }

    public static ReportFile Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The report, or null while the file does not exist yet (it appears whole: written then renamed).</summary>
    public static ReportFile? TryLoad(string path) => File.Exists(path) ? Load(path) : null;

    public string? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>Reverses testvassal's escaping: <c>\\</c> to \, <c>\n</c> to LF, <c>\r</c> to CR.</summary>
    public static string Unescape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                result.Append(value[i] switch { 'n' => '\n', 'r' => '\r', var other => other });
            }
            else
            {
                result.Append(value[i]);
            }
        }

        return result.ToString();
    }

    private int Int(string key) => int.TryParse(this[key], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
        ? n
        : throw new FormatException($"The testvassal report's '{key}' is '{this[key]}', not an integer.");

    private List<int> IntList(string key) =>
        [.. this[key].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(part => int.Parse(part, CultureInfo.InvariantCulture))];

    private ResourceLimit Limit(string name)
    {
        ulong? Value(string key) => this[key] == "unlimited" ? null : ulong.Parse(this[key], CultureInfo.InvariantCulture);
        return new ResourceLimit(Value($"rlimit.{name}.soft"), Value($"rlimit.{name}.hard"));
    }
}
