namespace Emperor.Core.Abstractions;

/// <summary>The few file-system facts the imperial monitors use. Implemented for real in Emperor.Unix.</summary>
internal interface IFileSystem
{
    /// <summary>stat (follow = true) or lstat. Returns the errno on failure (2 = ENOENT).</summary>
    bool TryStat(string path, bool follow, out FileStatus status, out int errno);

    /// <summary>access(path, R_OK): whether this process may read the file (a vassal's config must be readable).</summary>
    bool IsReadable(string path);

    /// <summary>Entry names of a directory (no "." or ".."); empty when it cannot be read.</summary>
    IReadOnlyList<string> ListDirectory(string path);

    /// <summary>Paths matching a shell pattern, sorted as glob(3) sorts them.</summary>
    IReadOnlyList<string> Glob(string pattern);
}
