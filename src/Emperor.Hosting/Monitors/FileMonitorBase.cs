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
/// each — uWSGI skips them silently — and never opened. A source whose directory does not exist (yet) is
/// reported once, watched through its nearest existing ancestor, and picked up (and said so) when it appears.
/// </summary>
internal abstract partial class FileMonitorBase(IFileSystem fs, EmperorSettings settings, ILogger logger) : IImperialMonitor
{
    private readonly HashSet<string> _reportedSkips = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _watchers = [];
    private Action? _onDirty;
    private string? _missing;

    public abstract string Argument { get; }

    public abstract string WorkingDirectory { get; }

    protected IFileSystem FileSystem => fs;

    protected abstract IEnumerable<(string Name, string Path)> Candidates();

    protected abstract IEnumerable<(string Directory, bool Recursive)> WatchRoots();

    /// <summary>The directory this source needs that does not exist now, or null when it is there.</summary>
    protected abstract string? MissingDirectory();

    public void Start(Action onDirty)
    {
        _onDirty = onDirty;
        _missing = MissingDirectory();
        if (_missing is not null)
        {
            LogMissing(logger, Argument, _missing);
        }

        Arm();
    }

    /// <summary>
    /// (Re)creates the inotify watches: on the source's own directories when they exist, else on the nearest
    /// existing ancestor of the missing one, whose change (a mkdir, a rename) makes the next scan look again.
    /// </summary>
    private void Arm()
    {
        DisposeWatchers();
        if (_onDirty is not { } onDirty)
        {
            return;
        }

        IEnumerable<(string Directory, bool Recursive)> roots = _missing is { } missing && NearestExisting(missing) is { } ancestor
            ? [(ancestor, false)]
            : WatchRoots();
        foreach (var (dir, recursive) in roots)
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

    private string? NearestExisting(string path)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (fs.TryStat(dir, follow: true, out var st, out _) && st.Kind == FileKind.Directory)
            {
                return dir;
            }
        }

        return null;
    }

    /// <summary>Notices a missing directory appearing (or an existing one going away), says so, and re-arms the watches.</summary>
    private void CheckAvailability()
    {
        var missing = MissingDirectory();
        if (missing == _missing)
        {
            return;
        }

        if (missing is null)
        {
            LogAppeared(logger, Argument, _missing!);
        }
        else
        {
            LogMissing(logger, Argument, missing);
        }

        _missing = missing;
        Arm();
    }

    public Dictionary<string, SourceEntry>? Scan()
    {
        CheckAvailability();
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
            AddEntries(result, name, path, st, owner);
        }

        _reportedSkips.IntersectWith(seen);
        ForgetSectionsOf(seen);
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
        _onDirty = null;
        DisposeWatchers();
    }

    private void DisposeWatchers()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _watchers.Clear();
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "[emperor] ignoring {Path}: {Why}")]
    private static partial void LogSkipped(ILogger logger, string path, string why);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "[emperor] {Source}: {Directory} does not exist (yet); watching for it to appear")]
    private static partial void LogMissing(ILogger logger, string source, string directory);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "[emperor] {Source}: {Directory} appeared; watching it")]
    private static partial void LogAppeared(ILogger logger, string source, string directory);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "[emperor] cannot watch {Directory} for changes ({Error}); relying on the periodic rescan")]
    private static partial void LogWatchError(ILogger logger, string directory, string error);
}
