using Emperor.Core.Abstractions;
using Emperor.Core.Emperor;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Monitors;

/// <summary>
/// <c>glob://PATTERN</c> (spec §2.4): glob(3) results, named by the result string itself (a full path for an
/// absolute pattern), relative patterns resolved against the Emperor's start-up cwd.
/// </summary>
internal sealed class GlobMonitor(string pattern, string startupDirectory, IFileSystem fs, EmperorSettings settings, ILogger logger)
    : FileMonitorBase(fs, settings, logger)
{
    public override string Argument => pattern;

    public override string WorkingDirectory => startupDirectory;

    protected override IEnumerable<(string Name, string Path)> Candidates() =>
        FileSystem.Glob(Path.IsPathRooted(pattern) ? pattern : Path.Combine(startupDirectory, pattern))
            .Select(p => (Path.IsPathRooted(pattern) ? p : Path.GetRelativePath(startupDirectory, p), p));

    protected override IEnumerable<(string Directory, bool Recursive)> WatchRoots()
    {
        var (root, recursive) = FixedRoot();
        return Directory.Exists(root) ? [(root, recursive)] : [];
    }

    protected override string? MissingDirectory()
    {
        var (root, _) = FixedRoot();
        return Directory.Exists(root) ? null : root;
    }

    /// <summary>The pattern's directory before its first wildcard, and whether a wildcard names a directory.</summary>
    private (string Root, bool Recursive) FixedRoot()
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(startupDirectory, pattern);
        var parts = full.Split('/');
        var fixedParts = parts.TakeWhile(p => p.IndexOfAny(['*', '?', '[']) < 0).ToList();

        // A pattern without wildcards names one file: its directory is what must exist.
        if (fixedParts.Count == parts.Length)
        {
            fixedParts.RemoveAt(fixedParts.Count - 1);
        }

        var root = string.Join('/', fixedParts);
        if (root.Length == 0)
        {
            root = "/";
        }

        // A wildcard in a directory component needs a recursive watch; in the last component it does not.
        return (root, fixedParts.Count < parts.Length - 1);
    }
}
