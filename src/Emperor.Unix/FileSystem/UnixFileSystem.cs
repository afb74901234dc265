using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Emperor.Core.Abstractions;
using Emperor.Unix.Interop;

namespace Emperor.Unix.FileSystem;

/// <summary>
/// File-system facts for the monitors, through statx(2) (full-resolution mtime, owner, kind; one layout on
/// every architecture) and glob(3) (exactly the shell semantics uWSGI's glob monitor uses).
/// </summary>
internal sealed class UnixFileSystem : IFileSystem
{
    public static UnixFileSystem Instance { get; } = new();

    public unsafe bool TryStat(string path, bool follow, out FileStatus status, out int errno)
    {
        byte* buf = stackalloc byte[Sys.StatxBytes];
        var flags = follow ? 0 : Sys.AT_SYMLINK_NOFOLLOW;
        if (Sys.statx(Sys.AT_FDCWD, path, flags, Sys.STATX_BASIC_STATS, buf) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }

        var span = new ReadOnlySpan<byte>(buf, Sys.StatxBytes);
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(span[20..]);
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(span[24..]);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        var ino = BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        var mtimeSec = BinaryPrimitives.ReadInt64LittleEndian(span[112..]);
        var mtimeNsec = BinaryPrimitives.ReadUInt32LittleEndian(span[120..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        status = new FileStatus(kind, unchecked((mtimeSec * 1_000_000_000L) + mtimeNsec), unchecked((int)uid), unchecked((int)gid), unchecked((long)ino));
        errno = 0;
        return true;
    }

    public bool IsReadable(string path) => Sys.access(path, 4) == 0;

    public IReadOnlyList<string> ListDirectory(string path)
    {
        try
        {
            var names = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(path))
            {
                names.Add(Path.GetFileName(entry));
            }

            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public IReadOnlyList<string> Glob(string pattern) => RunGlob(pattern, 0) ?? [];

    /// <summary>glob(3) with <paramref name="flags"/>; null when glob fails (GLOB_NOMATCH included).</summary>
    public static unsafe List<string>? RunGlob(string pattern, int flags)
    {
        byte* g = stackalloc byte[Sys.GlobTBytes];
        new Span<byte>(g, Sys.GlobTBytes).Clear();
        var rc = Sys.glob(pattern, flags, 0, g);
        try
        {
            if (rc != 0)
            {
                return null;
            }

            var count = (int)*(nuint*)g;
            var paths = *(byte***)(g + 8);
            var result = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                result.Add(Marshal.PtrToStringUTF8((nint)paths[i]) ?? string.Empty);
            }

            return result;
        }
        finally
        {
            Sys.globfree(g);
        }
    }
}
