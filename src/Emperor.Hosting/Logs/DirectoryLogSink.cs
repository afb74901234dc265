using System.Buffers;
using Emperor.Core.Logs;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting.Logs;

/// <summary>
/// <c>--emperor-log-dir DIR</c>: each vassal's lines in its own files (<see cref="LogFileNames"/>), rotated by size
/// (<see cref="RotatingFile"/>). A file the disk refuses (full, gone, no permission) loses lines, counted; one line
/// says so when it starts and one when writing works again, with how many were lost.
/// </summary>
internal sealed partial class DirectoryLogSink(string directory, long maxSize, int backups, LogFormat format, ILogger logger) : ILogSink
{
    private readonly Dictionary<string, (RotatingFile File, long Dropped)> _files = new(StringComparer.Ordinal);
    private readonly HashSet<RotatingFile> _dirty = [];
    private readonly ArrayBufferWriter<byte> _line = new(1024);

    /// <summary>Files with an open descriptor (tests: reopen releases them).</summary>
    public int OpenFiles => _files.Values.Count(f => f.File.IsOpen);

    public bool Write(VassalLogLine line)
    {
        var name = LogFileNames.FileName(line.Vassal, line.Stream, format);
        if (!_files.TryGetValue(name, out var entry))
        {
            entry = (new RotatingFile(Path.Combine(directory, name), maxSize, backups), 0);
        }

        _line.ResetWrittenCount();
        LogLineFormatter.Write(_line, line, format, prefixName: false);
        try
        {
            entry.File.Write(_line.WrittenSpan);
            _dirty.Add(entry.File);
            if (entry.Dropped > 0)
            {
                LogWritingAgain(logger, entry.File.Path, entry.Dropped);
                entry.Dropped = 0;
            }

            _files[name] = entry;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (entry.Dropped == 0)
            {
                LogCannotWrite(logger, entry.File.Path, e.Message);
            }

            entry.Dropped++;
            _files[name] = entry;
            entry.File.Reopen();
            return false;
        }
    }

    public void Flush()
    {
        foreach (var file in _dirty)
        {
            try
            {
                file.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                file.Reopen();
            }
        }

        _dirty.Clear();
    }

    public void Reopen()
    {
        Flush();
        foreach (var (file, _) in _files.Values)
        {
            try
            {
                file.Reopen();
            }
            catch (IOException)
            {
                // Flushing the last bytes failed; the descriptor is closed anyway.
            }
        }
    }

    public void Dispose() => Reopen();

    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "[emperor] cannot write {Path} ({Error}); dropping its lines until a write works again")]
    private static partial void LogCannotWrite(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "[emperor] writing {Path} again; {Dropped} lines were dropped")]
    private static partial void LogWritingAgain(ILogger logger, string path, long dropped);
}
