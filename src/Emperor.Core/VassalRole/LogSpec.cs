namespace Emperor.Core.VassalRole;

/// <summary>
/// A vassal's own log file, as uWSGI's core/logging.c <c>logto()</c> sets it up: the file opened for append (mode
/// 0640, <c>log-truncate</c>: truncated), <c>logfile-chmod</c> applied, and the instance's stdout and stderr
/// redirected to it; with <c>log-maxsize</c> rotated once it grows past that many bytes, to <c>log-backupname</c> or
/// <c>FILE.UNIXTIME</c>.
/// </summary>
/// <param name="Option">The option that named the file: <c>logto</c>, <c>logto2</c> or <c>daemonize</c>.</param>
/// <param name="Path">The file.</param>
internal sealed record LogSpec(string Option, string Path)
{
    /// <summary><c>log-truncate</c>: O_TRUNC instead of O_APPEND.</summary>
    public bool Truncate { get; init; }

    /// <summary><c>logfile-chmod</c>, or null.</summary>
    public int? Chmod { get; init; }

    /// <summary><c>log-maxsize</c> in bytes, or null (never rotated).</summary>
    public long? MaxSize { get; init; }

    /// <summary><c>log-backupname</c>, or null for <c>FILE.UNIXTIME</c>.</summary>
    public string? BackupName { get; init; }
}
