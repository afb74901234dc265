using Emperor.Core.Abstractions;
using Emperor.Core.Emperor;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Monitors;

/// <summary>
/// <c>dir://PATH</c> (spec §2.3): the directory's entries, named by their basename, no recursion. A directory
/// that does not exist yet holds no vassals until it appears.
/// </summary>
internal sealed class DirectoryMonitor(string directory, IFileSystem fs, EmperorSettings settings, ILogger logger)
    : FileMonitorBase(fs, settings, logger)
{
    public override string Argument => directory;

    public override string WorkingDirectory => directory;

    protected override IEnumerable<(string Name, string Path)> Candidates() =>
        FileSystem.ListDirectory(directory).Order(StringComparer.Ordinal).Select(n => (n, Path.Combine(directory, n)));

    protected override IEnumerable<(string Directory, bool Recursive)> WatchRoots() => [(directory, false)];

    protected override string? MissingDirectory() =>
        FileSystem.TryStat(directory, follow: true, out var st, out _) && st.Kind == FileKind.Directory ? null : directory;
}
