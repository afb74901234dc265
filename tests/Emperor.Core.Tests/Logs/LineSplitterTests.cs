using System.Text;
using Emperor.Core.Logs;

namespace Emperor.Core.Tests.Logs;

public sealed class LineSplitterTests
{
    [Fact]
    public void LinesAcrossChunks_AreJoined_AndCrLfLosesItsCr()
    {
        var splitter = new LineSplitter();
        var lines = new List<string>();
        splitter.Feed("hel"u8, lines.Add);
        Assert.Empty(lines);
        splitter.Feed("lo\r\nwor"u8, lines.Add);
        splitter.Feed("ld\n\nlast"u8, lines.Add);
        Assert.Equal(["hello", "world", ""], lines);
        Assert.Equal(4, splitter.Pending);
        Assert.Equal("last", splitter.Flush());
        Assert.Null(splitter.Flush());
    }

    [Fact]
    public void AnEndlessLine_ComesOutInPiecesOfTheLimit_NothingLost()
    {
        var splitter = new LineSplitter();
        var lines = new List<string>();
        var total = (LineSplitter.MaxLineBytes * 2) + 10;
        var data = Encoding.ASCII.GetBytes(new string('x', total) + "\nnext\n");
        foreach (var chunk in data.Chunk(1000))
        {
            splitter.Feed(chunk, lines.Add);
        }

        Assert.Equal([LineSplitter.MaxLineBytes, LineSplitter.MaxLineBytes, 10, 4], lines.Select(l => l.Length));
        Assert.Equal("next", lines[^1]);
        Assert.Equal(0, splitter.Pending);
    }

    [Fact]
    public void ALongLineEndingInOneChunk_WithAPartAlreadyPending_IsCutAtTheLimit()
    {
        var splitter = new LineSplitter();
        var lines = new List<string>();
        splitter.Feed(Encoding.ASCII.GetBytes(new string('a', 100)), lines.Add);
        splitter.Feed(Encoding.ASCII.GetBytes(new string('b', LineSplitter.MaxLineBytes) + "\n"), lines.Add);
        Assert.Equal(2, lines.Count);
        Assert.Equal(LineSplitter.MaxLineBytes, lines[0].Length);
        Assert.Equal(new string('b', 100), lines[1]);
    }

    [Fact]
    public void InvalidUtf8_IsReplaced_NotThrown()
    {
        var splitter = new LineSplitter();
        var lines = new List<string>();
        splitter.Feed([0x61, 0xff, 0x62, (byte)'\n'], lines.Add);
        Assert.Equal("a\uFFFDb", Assert.Single(lines));
    }
}
