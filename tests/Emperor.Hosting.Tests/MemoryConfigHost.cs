using System.Collections.Concurrent;
using System.Text;
using Emperor.Core.Config;

namespace Emperor.Hosting.Tests;

/// <summary>
/// The machine as the config language sees it, with files in memory: enough for the Emperor's real
/// <see cref="Core.Emperor.VassalConfigReader"/> to read vassal files (and what they include) in the loop under test.
/// Files may be rewritten while the loop runs; commands are never run.
/// </summary>
internal sealed class MemoryConfigHost : IConfigHost
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private int _reads;

    public ConfigHostFacts Facts { get; } = new(
        Cwd: "/tmp",
        Hostname: "testhost",
        StartTimeSeconds: 1_700_000_000,
        StartTimeMicroseconds: 1_700_000_000_000_000,
        Version: "2.0.30",
        CpuCount: 2,
        Uid: 0,
        UserName: "root",
        Gid: 0,
        GroupName: "root",
        BinaryPath: "/usr/bin/emperor");

    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; } = [];

    /// <summary>How many times a file was read (to see that a refused config is not read again until it changes).</summary>
    public int Reads => Volatile.Read(ref _reads);

    public void Write(string path, string text) => _files[path] = Encoding.UTF8.GetBytes(text);

    public HostReadResult ReadFile(string path, int maxBytes)
    {
        Interlocked.Increment(ref _reads);
        return !_files.TryGetValue(path, out var bytes) ? HostReadResult.Failed("No such file or directory")
            : bytes.Length > maxBytes ? HostReadResult.TooLarge(bytes.Length)
            : HostReadResult.Ok(bytes);
    }

    public HostReadResult ReadPushedConfig(string name, int maxBytes) => HostReadResult.NotAvailable("no config pushed");

    public HostReadResult ReadStandardInput(int maxBytes) => HostReadResult.Ok(ReadOnlyMemory<byte>.Empty);

    public HostReadResult RunCommand(string command, int maxBytes) => HostReadResult.Failed("no commands here");

    public bool IsReadable(string path) => _files.ContainsKey(path);

    public bool IsRegularFile(string path) => _files.ContainsKey(path);

    public bool IsDirectory(string path) => path is "/" or "/tmp";

    public bool IsSymbolicLink(string path) => false;

    public string? GetRealPath(string path, out string? error)
    {
        error = _files.ContainsKey(path) || IsDirectory(path) ? null : "No such file or directory";
        return error is null ? path : null;
    }

    public ulong? GetInode(string path) => _files.ContainsKey(path) ? (ulong)path.Length : null;

    public IReadOnlyList<string>? Glob(string pattern) => [pattern];
}
