using Emperor.Core.Abstractions;
using Emperor.Core.Emperor;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Monitors;

/// <summary><c>dir://PATH</c> (spec §2.3): the directory's entries, named by their basename, no recursion.</summary>
internal sealed class DirectoryMonitor(string directory, IFileSystem fs, EmperorSettings settings, ILogger logger)
    : FileMonitorBase(fs, settings, logger)
{
    public override string Argument => directory;

    public override string WorkingDirectory => directory;

    protected override IEnumerable<(string Name, string Path)> Candidates() =>
        FileSystem.ListDirectory(directory).Order(StringComparer.Ordinal).Select(n => (n, Path.Combine(directory, n)));

    protected override IEnumerable<(string Directory, bool Recursive)> WatchRoots() => [(directory, false)];
}
