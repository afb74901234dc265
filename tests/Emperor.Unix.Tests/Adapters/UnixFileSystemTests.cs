using System.Net.Sockets;
using Emperor.Core.Abstractions;
using Emperor.Testing;
using Emperor.Unix.FileSystem;

namespace Emperor.Unix.Tests.Adapters;

/// <summary>The monitors' view of the file system (<see cref="UnixFileSystem"/>: statx, access, readdir, glob) on a real temp dir.</summary>
public sealed class UnixFileSystemTests
{
    private const int Enoent = 2;
    private static readonly UnixFileSystem s_fs = UnixFileSystem.Instance;

    [Fact]
    public void TryStat_RegularFile_GivesKindOwnerInodeAndTheMtimeToTheNanosecond()
    {
        using var dir = new TempDir("fs-stat");
        var path = dir.WriteFile("a.ini", "[uwsgi]\n");
        var mtime = new DateTime(2024, 2, 29, 12, 34, 56, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, mtime);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.True(s_fs.TryStat(path, follow: false, out var status, out var errno), $"errno {errno}");

        Assert.Equal(FileKind.Regular, status.Kind);
        Assert.Equal((mtime - DateTime.UnixEpoch).Ticks * 100, status.ModifiedNs);
        Assert.Equal((ProcStatus.First(Environment.ProcessId, "Uid"), ProcStatus.First(Environment.ProcessId, "Gid")), (status.Uid, status.Gid));
        Assert.Equal(0, errno);
    }

    [Fact]
    public void TryStat_SameFileThroughAHardLink_HasTheSameInode_AnotherFileAnother()
    {
        using var dir = new TempDir("fs-inode");
        var a = dir.WriteFile("a.ini", "a");
        var b = dir.WriteFile("b.ini", "b");
        var link = dir.Combine("hard.ini");
        Assert.True(Native.link(a, link) == 0, $"link failed with errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");

        Assert.True(s_fs.TryStat(a, false, out var sa, out _));
        Assert.True(s_fs.TryStat(b, false, out var sb, out _));
        Assert.True(s_fs.TryStat(link, false, out var sl, out _));

        Assert.Equal(sa.Inode, sl.Inode);
        Assert.NotEqual(sa.Inode, sb.Inode);
    }

    [Fact]
    public void TryStat_SymbolicLink_IsTheLinkUnlessFollowed_AndADanglingOneFailsWithEnoentWhenFollowed()
    {
        using var dir = new TempDir("fs-link");
        var target = dir.WriteFile("target.ini", "x");
        var link = File.CreateSymbolicLink(dir.Combine("link.ini"), target).FullName;
        var dangling = File.CreateSymbolicLink(dir.Combine("dangling.ini"), dir.Combine("nowhere.ini")).FullName;

        Assert.True(s_fs.TryStat(link, follow: false, out var own, out _));
        Assert.True(s_fs.TryStat(link, follow: true, out var followed, out _));
        Assert.True(s_fs.TryStat(dangling, follow: false, out var danglingOwn, out _));
        Assert.False(s_fs.TryStat(dangling, follow: true, out _, out var errno));

        Assert.Equal(FileKind.Symlink, own.Kind);
        Assert.Equal(FileKind.Regular, followed.Kind);
        Assert.Equal(FileKind.Symlink, danglingOwn.Kind);
        Assert.Equal(Enoent, errno);
    }

    [Fact]
    public async Task TryStat_TellsDirectoriesFifosAndSocketsApart()
    {
        using var dir = new TempDir("fs-kinds");
        var sub = Directory.CreateDirectory(dir.Combine("sub.ini")).FullName;
        var fifo = dir.Combine("fifo.ini");
        await using (var guard = new LeakGuard())
        {
            await using var mkfifo = TestProcess.Start(guard, "mkfifo", [fifo]);
            Assert.True(await mkfifo.WaitForExitAndOutputAsync(Deadlines.Child, TestContext.Current.CancellationToken) == 0, mkfifo.Output);
        }

        var socketPath = dir.Combine("sock.ini");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        Assert.Equal(
            [FileKind.Directory, FileKind.Fifo, FileKind.Socket],
            new[] { sub, fifo, socketPath }.Select(p => s_fs.TryStat(p, false, out var s, out _) ? s.Kind : (FileKind?)null));
    }

    [Fact]
    public void TryStat_MissingPath_FailsWithEnoent()
    {
        using var dir = new TempDir("fs-missing");

        Assert.False(s_fs.TryStat(dir.Combine("gone.ini"), follow: false, out _, out var errno));
        Assert.Equal(Enoent, errno);
    }

    [Fact]
    public void IsReadable_ExistingFileYes_MissingFileNo()
    {
        using var dir = new TempDir("fs-access");
        var path = dir.WriteFile("a.ini", "x");

        Assert.True(s_fs.IsReadable(path));
        Assert.False(s_fs.IsReadable(dir.Combine("gone.ini")));
    }

    [Fact]
    public void ListDirectory_GivesEveryEntrysName_AndNothingForAMissingDirectory()
    {
        using var dir = new TempDir("fs-list");
        dir.WriteFile("a.ini", "a");
        dir.WriteFile(".hidden.ini", "h");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.CreateSymbolicLink(dir.Combine("dangling.ini"), dir.Combine("nowhere"));

        Assert.Equal([".hidden.ini", "a.ini", "dangling.ini", "sub"], s_fs.ListDirectory(dir.Path).Order(StringComparer.Ordinal));
        Assert.Empty(s_fs.ListDirectory(dir.Combine("gone")));
    }

    [Fact]
    public void Glob_HasShellSemantics_SortedFullPaths_NoHiddenFiles_NothingWhenNothingMatches()
    {
        using var dir = new TempDir("fs-glob");
        dir.WriteFile("b.ini", "b");
        dir.WriteFile("a.ini", "a");
        dir.WriteFile("c.xml", "c");
        dir.WriteFile(".hidden.ini", "h");
        Directory.CreateDirectory(dir.Combine("sub"));
        dir.WriteFile("sub/d.ini", "d");

        Assert.Equal([dir.Combine("a.ini"), dir.Combine("b.ini")], s_fs.Glob(Path.Combine(dir.Path, "*.ini")));
        Assert.Equal([dir.Combine("sub/d.ini")], s_fs.Glob(Path.Combine(dir.Path, "*/*.ini")));
        Assert.Equal([dir.Combine("a.ini"), dir.Combine("c.xml")], s_fs.Glob(Path.Combine(dir.Path, "[ac].*")));
        Assert.Empty(s_fs.Glob(Path.Combine(dir.Path, "*.yaml")));
    }
}
