using Emperor.Core.Logs;

namespace Emperor.Hosting.Logs;

/// <summary>
/// One log file rotated by size: a write that would take it past <c>maxSize</c> first renames it to
/// <c>PATH.1</c> (older copies move up one, the one beyond <c>backups</c> is deleted) and starts a new file.
/// <see cref="Reopen"/> closes the descriptor and the next write opens the path afresh, so a file that logrotate
/// moved away is really let go (the bug uWSGI users hit). Used by the log writer thread only.
/// </summary>
internal sealed class RotatingFile(string path, long maxSize, int backups) : IDisposable
{
    private FileStream? _stream;
    private long _size;

    public string Path => path;

    /// <summary>Whether a descriptor is open now.</summary>
    public bool IsOpen => _stream is not null;

    /// <summary>Appends <paramref name="bytes"/> (whole lines); IOException when the file system refuses.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var stream = _stream ?? Open();
        if (_size > 0 && _size + bytes.Length > maxSize)
        {
            Rotate();
            stream = Open();
        }

        stream.Write(bytes);
        _size += bytes.Length;
    }

    public void Flush() => _stream?.Flush();

    public void Reopen() => Close();

    public void Dispose() => Close();

    private FileStream Open()
    {
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        _size = _stream.Length;
        return _stream;
    }

    private void Close()
    {
        try
        {
            _stream?.Dispose(); // flushes; a full disk throws here too, and the descriptor is closed either way
        }
        finally
        {
            _stream = null;
        }
    }

    private void Rotate()
    {
        Close();
        if (backups == 0)
        {
            File.Delete(path);
            return;
        }

        File.Delete(LogFileNames.Backup(path, backups));
        for (var i = backups - 1; i >= 1; i--)
        {
            var from = LogFileNames.Backup(path, i);
            if (File.Exists(from))
            {
                File.Move(from, LogFileNames.Backup(path, i + 1), overwrite: true);
            }
        }

        File.Move(path, LogFileNames.Backup(path, 1), overwrite: true);
    }
}
