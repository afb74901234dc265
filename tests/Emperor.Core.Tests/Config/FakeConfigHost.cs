using System.Text;
using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

/// <summary>An in-memory <see cref="IConfigHost"/>: files, directories, symbolic links, commands and facts.</summary>
internal sealed class FakeConfigHost : IConfigHost
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Output, int Exit)> _commands = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "/" };

    public ConfigHostFacts Facts { get; set; } = new(
        Cwd: "/srv",
        Hostname: "testhost",
        StartTimeSeconds: 1_700_000_000,
        StartTimeMicroseconds: 1_700_000_000_123_456,
        Version: "2.0.30",
        CpuCount: 4,
        Uid: 1000,
        UserName: "www",
        Gid: 1001,
        GroupName: "web",
        BinaryPath: "/usr/bin/uwsgi");

    public List<KeyValuePair<string, string>> EnvironmentList { get; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Environment => EnvironmentList;

    public byte[]? PushedConfig { get; set; }

    public int CommandsRun { get; private set; }

    public FakeConfigHost File(string path, string text) => File(path, Encoding.UTF8.GetBytes(text));

    public FakeConfigHost File(string path, byte[] bytes)
    {
        var full = Absolute(path);
        _files[full] = bytes;
        for (var dir = Parent(full); dir.Length > 0; dir = Parent(dir))
        {
            _directories.Add(dir);
        }

        return this;
    }

    public FakeConfigHost Link(string link, string target)
    {
        _links[Absolute(link)] = target;
        return this;
    }

    public FakeConfigHost Command(string command, string output, int exit = 0)
    {
        _commands[command] = (Encoding.UTF8.GetBytes(output), exit);
        return this;
    }

    public FakeConfigHost Env(string name, string value)
    {
        EnvironmentList.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    public HostReadResult ReadFile(string path, int maxBytes)
    {
        var real = Resolve(Absolute(path));
        if (real is null || !_files.TryGetValue(real, out var bytes))
        {
            return HostReadResult.Failed(real is not null && _directories.Contains(real) ? "Is a directory" : "No such file or directory");
        }

        return bytes.Length > maxBytes ? HostReadResult.TooLarge(bytes.Length) : HostReadResult.Ok(bytes);
    }

    /// <summary>What standard input holds; read once, as a pipe is (later reads find it at its end).</summary>
    public byte[]? StandardInput { get; set; }

    public int StandardInputReads { get; private set; }

    public HostReadResult ReadStandardInput(int maxBytes)
    {
        StandardInputReads++;
        var bytes = StandardInput ?? [];
        StandardInput = [];
        return bytes.Length > maxBytes ? HostReadResult.TooLarge(bytes.Length) : HostReadResult.Ok(bytes);
    }

    public HostReadResult ReadPushedConfig(string name, int maxBytes) =>
        PushedConfig is null ? HostReadResult.NotAvailable("no config pushed") : HostReadResult.Ok(PushedConfig);

    public HostReadResult RunCommand(string command, int maxBytes)
    {
        CommandsRun++;
        return _commands.TryGetValue(command, out var result)
            ? HostReadResult.Ok(result.Output, result.Exit)
            : HostReadResult.Failed("sh: command not found");
    }

    public bool IsReadable(string path) => Resolve(Absolute(path)) is { } real && (_files.ContainsKey(real) || _directories.Contains(real));

    public bool IsRegularFile(string path) => Resolve(Absolute(path)) is { } real && _files.ContainsKey(real);

    public bool IsDirectory(string path) => Resolve(Absolute(path)) is { } real && _directories.Contains(real);

    public bool IsSymbolicLink(string path) => _links.ContainsKey(Absolute(path));

    public string? GetRealPath(string path, out string? error)
    {
        var real = Resolve(Absolute(path));
        error = real is null || !(_files.ContainsKey(real) || _directories.Contains(real)) ? "No such file or directory" : null;
        return error is null ? real : null;
    }

    public ulong? GetInode(string path) => IsReadable(path) || IsSymbolicLink(path) ? (ulong)(Absolute(path).Length * 1000 + 7) : null;

    public IReadOnlyList<string>? Glob(string pattern)
    {
        var full = Absolute(pattern);
        var dir = Parent(full);
        var namePattern = full[(full.LastIndexOf('/') + 1)..];
        var prefix = pattern.Contains('/', StringComparison.Ordinal) ? pattern[..(pattern.LastIndexOf('/') + 1)] : string.Empty;
        var names = _files.Keys.Concat(_directories)
            .Where(p => p != "/" && Parent(p) == (dir.Length == 0 ? "/" : dir))
            .Select(p => p[(p.LastIndexOf('/') + 1)..])
            .Where(n => Matches(namePattern, n))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(n => prefix + n + (_directories.Contains(Join(dir, n)) ? "/" : string.Empty))
            .ToList();
        return names.Count == 0 ? [pattern] : names;
    }

    private static bool Matches(string pattern, string name)
    {
        if (pattern.Length == 0)
        {
            return name.Length == 0;
        }

        if (pattern[0] == '*')
        {
            for (var i = 0; i <= name.Length; i++)
            {
                if (Matches(pattern[1..], name[i..]))
                {
                    return true;
                }
            }

            return false;
        }

        return name.Length > 0 && (pattern[0] == '?' || pattern[0] == name[0]) && Matches(pattern[1..], name[1..]);
    }

    private static string Join(string dir, string name) => dir is "/" or "" ? "/" + name : dir + "/" + name;

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? (path.Length > 1 ? "/" : string.Empty) : path[..slash];
    }

    private string Absolute(string path)
    {
        var full = path.StartsWith('/') ? path : Facts.Cwd + "/" + path;
        var parts = new List<string>();
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    private string? Resolve(string path)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            if (!_links.TryGetValue(path, out var target))
            {
                return path;
            }

            path = target.StartsWith('/') ? Absolute(target) : Absolute(Parent(path) + "/" + target);
        }

        return null;
    }
}
