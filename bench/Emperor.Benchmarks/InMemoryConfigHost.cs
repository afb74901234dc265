using System.Text;
using Emperor.Core.Config;

namespace Emperor.Benchmarks;

/// <summary>
/// A small in-memory <see cref="IConfigHost"/>: a few files under one working directory, fixed facts, an empty
/// environment. No symbolic links, no commands, no globbing: enough for a typical vassal file and its include.
/// </summary>
internal sealed class InMemoryConfigHost : IConfigHost
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "/" };

    public InMemoryConfigHost(string cwd)
    {
        Facts = new ConfigHostFacts(
            Cwd: cwd,
            Hostname: "bench",
            StartTimeSeconds: 1_700_000_000,
            StartTimeMicroseconds: 1_700_000_000_123_456,
            Version: "2.0.30",
            CpuCount: 4,
            Uid: 33,
            UserName: "www-data",
            Gid: 33,
            GroupName: "www-data",
            BinaryPath: "/usr/bin/emperor");
        AddDirectory(cwd);
    }

    public ConfigHostFacts Facts { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; } = [];

    public InMemoryConfigHost File(string name, string text)
    {
        var full = Absolute(name);
        _files[full] = Encoding.UTF8.GetBytes(text);
        AddDirectory(Parent(full));
        return this;
    }

    public InMemoryConfigHost Directory(string name)
    {
        AddDirectory(Absolute(name));
        return this;
    }

    public HostReadResult ReadFile(string path, int maxBytes)
    {
        var full = Absolute(path);
        if (!_files.TryGetValue(full, out var bytes))
        {
            return HostReadResult.Failed(_directories.Contains(full) ? "Is a directory" : "No such file or directory");
        }

        return bytes.Length > maxBytes ? HostReadResult.TooLarge(bytes.Length) : HostReadResult.Ok(bytes);
    }

    public HostReadResult ReadPushedConfig(string name, int maxBytes) => HostReadResult.NotAvailable("no config pushed");

    public HostReadResult ReadStandardInput(int maxBytes) => HostReadResult.Ok(ReadOnlyMemory<byte>.Empty);

    public HostReadResult RunCommand(string command, int maxBytes) => HostReadResult.Failed("commands are not benchmarked");

    public bool IsReadable(string path)
    {
        var full = Absolute(path);
        return _files.ContainsKey(full) || _directories.Contains(full);
    }

    public bool IsRegularFile(string path) => _files.ContainsKey(Absolute(path));

    public bool IsDirectory(string path) => _directories.Contains(Absolute(path));

    public bool IsSymbolicLink(string path) => false;

    public string? GetRealPath(string path, out string? error)
    {
        var full = Absolute(path);
        error = IsReadable(full) ? null : "No such file or directory";
        return error is null ? full : null;
    }

    public ulong? GetInode(string path) => IsReadable(path) ? (ulong)Absolute(path).Length : null;

    public IReadOnlyList<string>? Glob(string pattern) => [pattern];

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private void AddDirectory(string dir)
    {
        for (var d = dir; d.Length > 1; d = Parent(d))
        {
            _directories.Add(d);
        }
    }

    private string Absolute(string path)
    {
        if (path.Length == 0)
        {
            return Facts.Cwd;
        }

        var full = path.StartsWith('/') ? path : Facts.Cwd + "/" + path;
        if (!full.Contains("/.", StringComparison.Ordinal) && !full.Contains("//", StringComparison.Ordinal))
        {
            return full.Length > 1 && full.EndsWith('/') ? full[..^1] : full;
        }

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
}
