using System.Globalization;
using System.Text;

namespace Emperor.Unix.Processes;

/// <summary>
/// The instructions the Emperor hands to the child set-up step, carried in one environment variable so
/// that the vassal's argv stays exactly as uWSGI builds it. Fields are separated by U+001F, which no path,
/// argument or name of ours contains in practice; an unknown field is ignored so versions can mix.
/// </summary>
internal sealed record ChildSetupSpec(
    int ParentPid,
    string VassalName,
    string? Executable,
    string Argv0,
    IReadOnlyList<int> KeepFds,
    int? Uid,
    int? Gid,
    IReadOnlyList<uint> Groups)
{
    /// <summary><c>cgroup.procs</c> files to join first thing (<c>--emperor-cgroup</c>).</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];

    /// <summary>Capabilities to keep in the bounding set (<c>--emperor-cap</c>), or null to leave it alone.</summary>
    public IReadOnlyList<int>? BoundingCaps { get; init; }

    public const string VariableName = "EMPEROR_CHILD_SETUP";
    private const char Separator = '\u001f';
    private const char ListSeparator = '\u001e';

    public string Encode()
    {
        var sb = new StringBuilder("v1");
        void Add(string key, string value) => sb.Append(Separator).Append(key).Append('=').Append(value);
        Add("ppid", ParentPid.ToString(CultureInfo.InvariantCulture));
        Add("name", VassalName);
        if (Executable is not null)
        {
            Add("exec", Executable);
        }

        Add("argv0", Argv0);
        Add("keep", string.Join(',', KeepFds));
        if (Uid is { } uid)
        {
            Add("uid", uid.ToString(CultureInfo.InvariantCulture));
        }

        if (Gid is { } gid)
        {
            Add("gid", gid.ToString(CultureInfo.InvariantCulture));
        }

        Add("groups", string.Join(',', Groups));
        if (Cgroups.Count > 0)
        {
            Add("cgroups", string.Join(ListSeparator, Cgroups));
        }

        if (BoundingCaps is not null)
        {
            Add("bset", string.Join(',', BoundingCaps));
        }

        return sb.ToString();
    }

    public static ChildSetupSpec? Decode(string text)
    {
        var parts = text.Split(Separator);
        if (parts.Length == 0 || parts[0] != "v1")
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.AsSpan(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                map[part[..eq]] = part[(eq + 1)..];
            }
        }

        static int? Int(Dictionary<string, string> m, string k) =>
            m.TryGetValue(k, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

        static List<T> List<T>(Dictionary<string, string> m, string k)
            where T : IParsable<T> =>
            m.TryGetValue(k, out var v) && v.Length > 0
                ? v.Split(',').Select(x => T.Parse(x, CultureInfo.InvariantCulture)).ToList()
                : [];

        return new ChildSetupSpec(
            Int(map, "ppid") ?? 0,
            map.GetValueOrDefault("name") ?? "?",
            map.GetValueOrDefault("exec"),
            map.GetValueOrDefault("argv0") ?? string.Empty,
            List<int>(map, "keep"),
            Int(map, "uid"),
            Int(map, "gid"),
            List<uint>(map, "groups"))
        {
            Cgroups = map.TryGetValue("cgroups", out var cg) && cg.Length > 0 ? cg.Split(ListSeparator) : [],
            BoundingCaps = map.ContainsKey("bset") ? List<int>(map, "bset") : null,
        };
    }
}
