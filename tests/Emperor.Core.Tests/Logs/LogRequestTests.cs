using Emperor.Core.Control;

namespace Emperor.Core.Tests.Logs;

public sealed class LogRequestTests
{
    [Theory]
    [InlineData("logs 10 tail app.ini", false, 10, false, "app.ini")]
    [InlineData("logs 0 follow", false, 0, true, null)]
    [InlineData("logs 5 follow name with spaces.ini\r", false, 5, true, "name with spaces.ini")]
    [InlineData("logs-reopen", true, 0, false, null)]
    public void Parses_AndEncodesBack(string line, bool reopen, int count, bool follow, string? name)
    {
        Assert.True(LogRequest.IsLogRequest(line));
        Assert.True(LogRequest.TryParse(line, out var r, out _));
        Assert.Equal(new LogRequest(reopen, count, follow, name), r);
        Assert.True(LogRequest.TryParse(r.Encode(), out var again, out _));
        Assert.Equal(r, again);
    }

    [Theory]
    [InlineData("logs")]
    [InlineData("logs 10")]
    [InlineData("logs x tail a")]
    [InlineData("logs -1 tail a")]
    [InlineData("logs 100001 tail a")]
    [InlineData("logs 10 watch a")]
    public void Refuses_WithOneLine(string line)
    {
        Assert.False(LogRequest.TryParse(line, out _, out var error));
        Assert.DoesNotContain('\n', error);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void OtherCommands_AreNotLogRequests()
    {
        Assert.False(LogRequest.IsLogRequest("reload logs"));
        Assert.False(LogRequest.IsLogRequest("stats"));
    }
}
