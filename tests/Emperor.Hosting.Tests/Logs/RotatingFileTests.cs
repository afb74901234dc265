using System.Text;
using Emperor.Core.Logs;
using Emperor.Hosting.Logs;
using Emperor.Testing;

namespace Emperor.Hosting.Tests.Logs;

public sealed class RotatingFileTests
{
    [Fact]
    public void RotatesBeforeTheSize_KeepsExactlyNBackups_NewestFirst()
    {
        using var dir = new TempDir("rotate");
        var path = dir.Combine("a.log");
        using (var file = new RotatingFile(path, maxSize: 100, backups: 3))
        {
            // 10 writes of 40 bytes: two fit in 100, the third rotates; 10 writes make 5 files' worth.
            for (var i = 0; i < 10; i++)
            {
                file.Write(Encoding.ASCII.GetBytes($"{i}".PadRight(39, '.') + "\n"));
            }
        }

        Assert.Equal(["a.log", "a.log.1", "a.log.2", "a.log.3"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(dir.Path), f => Assert.True(new FileInfo(f).Length <= 100, f));
        Assert.StartsWith("8", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.StartsWith("6", File.ReadAllText(LogFileNames.Backup(path, 1)), StringComparison.Ordinal);
        Assert.StartsWith("2", File.ReadAllText(LogFileNames.Backup(path, 3)), StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroBackups_StartsOverInTheSameFile()
    {
        using var dir = new TempDir("rotate0");
        var path = dir.Combine("a.log");
        using (var file = new RotatingFile(path, maxSize: 10, backups: 0))
        {
            file.Write("12345678\n"u8);
            file.Write("abcdefgh\n"u8);
        }

        Assert.Equal(["a.log"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal("abcdefgh\n", File.ReadAllText(path));
    }

    [Fact]
    public void ALineLargerThanTheLimit_IsWrittenWhole_IntoAFreshFile()
    {
        using var dir = new TempDir("rotate-big");
        var path = dir.Combine("a.log");
        using (var file = new RotatingFile(path, maxSize: 10, backups: 2))
        {
            file.Write("small\n"u8);
            file.Write(Encoding.ASCII.GetBytes(new string('x', 30) + "\n"));
        }

        Assert.Equal(31, new FileInfo(path).Length);
        Assert.Equal("small\n", File.ReadAllText(LogFileNames.Backup(path, 1)));
    }

    [Fact]
    public void AnExistingFile_IsAppendedTo_AndItsSizeCounts()
    {
        using var dir = new TempDir("rotate-append");
        var path = dir.WriteFile("a.log", "old line from before a restart\n");
        using (var file = new RotatingFile(path, maxSize: 40, backups: 1))
        {
            file.Write("new\n"u8);
            file.Write("newer line\n"u8);
        }

        Assert.Equal("old line from before a restart\nnew\n", File.ReadAllText(LogFileNames.Backup(path, 1)));
        Assert.Equal("newer line\n", File.ReadAllText(path));
    }
}
