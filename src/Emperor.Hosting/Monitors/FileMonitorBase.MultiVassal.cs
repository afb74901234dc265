using System.Text;
using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Monitors;

/// <summary>
/// One file, many vassals (<see cref="MultiVassalFile"/>): a file with an <c>[emperor]</c> section that lists
/// vassals becomes one entry per listed section, <c>FILE:SECTION</c>. A section's entry keeps its stamp while its
/// fingerprint stays the same, so an edit of the file reloads only the sections it changed; a section that leaves
/// the list (or the file) is gone from the scan and its vassal stops; the file's owner owns every section (tyrant
/// mode). The file is read only when its mtime or inode changes. A file without such a section is one vassal, as
/// before.
/// </summary>
internal abstract partial class FileMonitorBase
{
    private readonly Dictionary<string, FileSections> _sections = new(StringComparer.Ordinal);

    private void AddEntries(Dictionary<string, SourceEntry> result, string name, string path, FileStatus st, FileStatus owner)
    {
        var sections = MultiVassalFile.MayBe(name) ? SectionsOf(name, path, st) : null;
        if (sections is null)
        {
            result[name] = new SourceEntry(name, st.ModifiedNs, owner.Uid, owner.Gid, null, path);
            return;
        }

        foreach (var (section, stamp) in sections.Stamps)
        {
            var vassal = name + ":" + section;
            result[vassal] = new SourceEntry(vassal, stamp, owner.Uid, owner.Gid, null, path);
        }
    }

    /// <summary>The file's sections with their stamps, or null for an ordinary vassal file.</summary>
    private FileSections? SectionsOf(string name, string path, FileStatus st)
    {
        _sections.TryGetValue(name, out var known);
        if (known is not null && known.ModifiedNs == st.ModifiedNs && known.Inode == st.Inode)
        {
            return known.IsMulti ? known : null;
        }

        var text = ReadSmall(path);
        var problems = new List<string>();
        var vassals = text is null ? null : MultiVassalFile.Read(text, name, out problems);
        var next = new FileSections(st.ModifiedNs, st.Inode, vassals is not null);
        if (vassals is not null)
        {
            foreach (var problem in problems)
            {
                LogSectionProblem(logger, problem);
            }

            foreach (var (section, fingerprint) in vassals)
            {
                // Unchanged sections keep their stamp: only what the edit touched reloads.
                var stamp = known?.Fingerprints.TryGetValue(section, out var old) == true && old == fingerprint
                    ? known.Stamps.First(s => s.Section == section).Stamp
                    : st.ModifiedNs;
                next.Fingerprints[section] = fingerprint;
                next.Stamps.Add((section, stamp));
            }
        }

        _sections[name] = next;
        return next.IsMulti ? next : null;
    }

    private void ForgetSectionsOf(HashSet<string> seen)
    {
        foreach (var gone in _sections.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _sections.Remove(gone);
        }
    }

    /// <summary>The file's text when it is small enough to hold sections worth reading; null otherwise or on error.</summary>
    private static string? ReadSmall(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            if (stream.Length > MultiVassalFile.MaxBytes)
            {
                return null;
            }

            var buffer = new byte[stream.Length];
            var total = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "[emperor] {Problem}")]
    private static partial void LogSectionProblem(ILogger logger, string problem);

    private sealed class FileSections(long modifiedNs, long inode, bool isMulti)
    {
        public long ModifiedNs { get; } = modifiedNs;

        public long Inode { get; } = inode;

        public bool IsMulti { get; } = isMulti;

        public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);

        public List<(string Section, long Stamp)> Stamps { get; } = [];
    }
}
