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
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(startupDirectory, pattern);
        var parts = full.Split('/');
        var fixedParts = parts.TakeWhile(p => p.IndexOfAny(['*', '?', '[']) < 0).ToList();
        var root = string.Join('/', fixedParts);
        if (root.Length == 0)
        {
            root = "/";
        }

        // A wildcard in a directory component needs a recursive watch; in the last component it does not.
        var recursive = fixedParts.Count < parts.Length - 1;
        return Directory.Exists(root) ? [(root, recursive)] : [];
    }
}
