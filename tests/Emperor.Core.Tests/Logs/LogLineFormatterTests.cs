using System.Buffers;
using System.Text;
using Emperor.Core.Logs;

namespace Emperor.Core.Tests.Logs;

public sealed class LogLineFormatterTests
{
    private static readonly VassalLogLine s_line = new(
        new DateTimeOffset(2026, 12, 2, 1, 2, 3, 456, TimeSpan.Zero), "app.ini", 42, VassalStream.Stderr, "naïve \"quoted\" \\ <tag>");

    private static string Format(VassalLogLine line, LogFormat format, bool prefix)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LogLineFormatter.Write(buffer, line, format, prefix);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Text_IsTheLineItself_OrNamePrefixedOnTheSharedStream()
    {
        Assert.Equal(s_line.Text + "\n", Format(s_line, LogFormat.Text, prefix: false));
        Assert.Equal("[app.ini] " + s_line.Text + "\n", Format(s_line, LogFormat.Text, prefix: true));
    }

    [Fact]
    public void Json_HasTheFiveFields_OneLine_AndReadsBack()
    {
        var text = Format(s_line, LogFormat.Json, prefix: true);
        Assert.Equal(
            "{\"time\":\"2026-12-02T01:02:03.456Z\",\"vassal\":\"app.ini\",\"pid\":42,\"stream\":\"stderr\",\"line\":\"naïve \\\"quoted\\\" \\\\ <tag>\"}\n",
            text);
        Assert.Equal(s_line, LogLineFormatter.ParseJson(text.TrimEnd('\n')));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"vassal\":1,\"line\":\"x\"}")]
    public void ParseJson_RefusesWhatIsNotALogLine(string text) => Assert.Null(LogLineFormatter.ParseJson(text));

    [Fact]
    public void FileNames_SplitStreamsInText_ShareOneFileInJson_AndStayInsideTheDirectory()
    {
        Assert.Equal("a.ini.log", LogFileNames.FileName("a.ini", VassalStream.Stdout, LogFormat.Text));
        Assert.Equal("a.ini.err.log", LogFileNames.FileName("a.ini", VassalStream.Stderr, LogFormat.Text));
        Assert.Equal("a.ini.log", LogFileNames.FileName("a.ini", VassalStream.Stderr, LogFormat.Json));
        Assert.Equal("web_prod.log", LogFileNames.FileName("web/prod", VassalStream.Stdout, LogFormat.Text));
        Assert.Equal("_...log", LogFileNames.FileName("..", VassalStream.Stdout, LogFormat.Text));
        Assert.Equal("/d/a.log.3", LogFileNames.Backup("/d/a.log", 3));
    }
}
