using Emperor.Core.Abstractions;
using Emperor.Core.Emperor;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Monitors;

/// <summary>
/// What dir:// and glob:// share: which entries are vassals, how they are stat'ed (spec §2.3), and the
/// FileSystemWatcher (inotify) that makes a change visible at once instead of at the next poll.
/// Entries named like vassals that cannot be vassals (directories, FIFOs, dangling links) are logged once
/// each — uWSGI skips them silently — and never opened.
/// </summary>
internal abstract partial class FileMonitorBase(IFileSystem fs, EmperorSettings settings, ILogger logger) : IImperialMonitor
{
    private readonly HashSet<string> _reportedSkips = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _watchers = [];

    public abstract string Argument { get; }

    public abstract string WorkingDirectory { get; }

    protected IFileSystem FileSystem => fs;

    protected abstract IEnumerable<(string Name, string Path)> Candidates();

    protected abstract IEnumerable<(string Directory, bool Recursive)> WatchRoots();

    public void Start(Action onDirty)
    {
        foreach (var (dir, recursive) in WatchRoots())
        {
            try
            {
                var w = new FileSystemWatcher(dir)
                {
                    IncludeSubdirectories = recursive,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                        | NotifyFilters.Attributes | NotifyFilters.Security | NotifyFilters.Size,
                    InternalBufferSize = 64 * 1024,
                };
                FileSystemEventHandler h = (_, _) => onDirty();
                w.Created += h;
                w.Changed += h;
                w.Deleted += h;
                w.Renamed += (_, _) => onDirty();
                w.Error += (_, e) =>
                {
                    LogWatchError(logger, dir, e.GetException().Message);
                    onDirty();
                };
                w.EnableRaisingEvents = true;
                _watchers.Add(w);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // The periodic rescan still covers this source; say why changes will be slower to notice.
                LogWatchError(logger, dir, e.Message);
            }
        }
    }

    public Dictionary<string, SourceEntry>? Scan()
    {
        var result = new Dictionary<string, SourceEntry>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, path) in Candidates())
        {
            if (!VassalFormat.IsVassalName(name, settings.ExtraExtensions))
            {
                continue;
            }

            seen.Add(name);
            if (!fs.TryStat(path, follow: !settings.NoFollow, out var st, out var errno))
            {
                var why = errno == 2 && fs.TryStat(path, follow: false, out var link, out _) && link.Kind == FileKind.Symlink
                    ? "it is a dangling symbolic link"
                    : $"it cannot be examined (errno {errno})";
                ReportSkip(name, path, why);
                continue;
            }

            if (st.Kind != FileKind.Regular && !(settings.NoFollow && st.Kind == FileKind.Symlink))
            {
                ReportSkip(name, path, st.Kind switch
                {
                    FileKind.Directory => "it is a directory",
                    FileKind.Fifo => "it is a FIFO",
                    _ => "it is not a regular file",
                });
                continue;
            }

            if (st.Kind == FileKind.Regular && !fs.IsReadable(path))
            {
                ReportSkip(name, path, "this Emperor may not read it (check its mode and owner)");
                continue;
            }

            var owner = st;
            if (settings.TyrantNoFollow && !settings.NoFollow && !fs.TryStat(path, follow: false, out owner, out _))
            {
                continue;
            }

            _reportedSkips.Remove(name);
            result[name] = new SourceEntry(name, st.ModifiedNs, owner.Uid, owner.Gid, null, path);
        }

        _reportedSkips.IntersectWith(seen);
        return result;
    }

    private void ReportSkip(string name, string path, string why)
    {
        if (_reportedSkips.Add(name))
        {
            LogSkipped(logger, path, why);
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _watchers.Clear();
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "[emperor] ignoring {Path}: {Why}")]
    private static partial void LogSkipped(ILogger logger, string path, string why);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "[emperor] cannot watch {Directory} for changes ({Error}); relying on the periodic rescan")]
    private static partial void LogWatchError(ILogger logger, string directory, string error);
}
