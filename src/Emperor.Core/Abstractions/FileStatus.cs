namespace Emperor.Core.Abstractions;

/// <summary>What a monitor needs to know about a path: its kind, full-resolution mtime and owner.</summary>
internal readonly record struct FileStatus(FileKind Kind, long ModifiedNs, int Uid, int Gid, long Inode);
