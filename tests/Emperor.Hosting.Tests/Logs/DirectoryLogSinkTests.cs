using Emperor.Core.Logs;
using Emperor.Hosting.Logs;
using Emperor.Testing;

namespace Emperor.Hosting.Tests.Logs;

public sealed class DirectoryLogSinkTests
{
    private static VassalLogLine Line(string vassal, VassalStream stream, string text) => new(DateTimeOffset.UnixEpoch, vassal, 7, stream, text);

    /// <summary>Targets of this process's open fds that lie under <paramref name="directory"/>.</summary>
    private static List<string> OpenUnder(string directory) =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget).OfType<string>().Where(t => t.StartsWith(directory + "/", StringComparison.Ordinal))];

    [Fact]
    public void TextFormat_SplitsStreamsIntoTwoFiles_PerVassal()
    {
        using var dir = new TempDir("sink");
        using (var sink = new DirectoryLogSink(dir.Path, 1 << 20, 2, LogFormat.Text, new ListLogger()))
        {
            Assert.True(sink.Write(Line("a.ini", VassalStream.Stdout, "out 1")));
            Assert.True(sink.Write(Line("a.ini", VassalStream.Stderr, "err 1")));
            Assert.True(sink.Write(Line("b.ini", VassalStream.Stdout, "b out")));
            sink.Flush();
            Assert.Equal("out 1\n", File.ReadAllText(dir.Combine("a.ini.log")));
        }

        Assert.Equal("err 1\n", File.ReadAllText(dir.Combine("a.ini.err.log")));
        Assert.Equal("b out\n", File.ReadAllText(dir.Combine("b.ini.log")));
    }

    [Fact]
    public void Reopen_ReleasesTheMovedFile_AndWritesGoToANewOneAtThePath()
    {
        using var dir = new TempDir("sink-reopen");
        using var sink = new DirectoryLogSink(dir.Path, 1 << 20, 2, LogFormat.Json, new ListLogger());
        sink.Write(Line("a.ini", VassalStream.Stdout, "before"));
        sink.Flush();
        Assert.Equal([dir.Combine("a.ini.log")], OpenUnder(dir.Path));

        File.Move(dir.Combine("a.ini.log"), dir.Combine("a.ini.log-20261202")); // what logrotate does
        Assert.Equal([dir.Combine("a.ini.log-20261202")], OpenUnder(dir.Path));
        sink.Reopen();
        Assert.Empty(OpenUnder(dir.Path));
        Assert.Equal(0, sink.OpenFiles);

        sink.Write(Line("a.ini", VassalStream.Stderr, "after"));
        sink.Flush();
        Assert.Equal([dir.Combine("a.ini.log")], OpenUnder(dir.Path));
        Assert.Contains("\"before\"", File.ReadAllText(dir.Combine("a.ini.log-20261202")), StringComparison.Ordinal);
        Assert.Contains("\"after\"", File.ReadAllText(dir.Combine("a.ini.log")), StringComparison.Ordinal);
        Assert.DoesNotContain("before", File.ReadAllText(dir.Combine("a.ini.log")), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatCannotBeWritten_DropsItsLines_SaysSoOnce_AndAgainWhenItWorks()
    {
        using var dir = new TempDir("sink-fail");
        var log = new ListLogger();
        using var sink = new DirectoryLogSink(dir.Path, 1 << 20, 2, LogFormat.Text, log);
        Directory.CreateDirectory(dir.Combine("a.ini.log")); // a directory where the file should be: open fails
        Assert.False(sink.Write(Line("a.ini", VassalStream.Stdout, "1")));
        Assert.False(sink.Write(Line("a.ini", VassalStream.Stdout, "2")));
        Assert.True(sink.Write(Line("b.ini", VassalStream.Stdout, "other vassals go on")));
        Assert.Equal(1, log.Count("cannot write " + dir.Combine("a.ini.log")));

        Directory.Delete(dir.Combine("a.ini.log"));
        Assert.True(sink.Write(Line("a.ini", VassalStream.Stdout, "3")));
        sink.Flush();
        Assert.Equal(1, log.Count("writing " + dir.Combine("a.ini.log") + " again; 2 lines were dropped"));
        Assert.Equal("3\n", File.ReadAllText(dir.Combine("a.ini.log")));
    }
}
