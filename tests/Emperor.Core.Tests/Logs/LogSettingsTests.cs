using Emperor.Core.Emperor;
using Emperor.Core.Logs;

namespace Emperor.Core.Tests.Logs;

public sealed class LogSettingsTests
{
    [Fact]
    public void Defaults_AreTheEmperorStreamTenMiBAndFiveBackups()
    {
        var (s, errors) = EmperorSettingsReader.Read([new("emperor", "/srv/vassals")]);
        Assert.Empty(errors);
        Assert.Equal((null, 10L * 1024 * 1024, 5, LogFormat.Text), (s.LogDir, s.LogMaxSize, s.LogBackups, s.LogFormat));
    }

    [Fact]
    public void TheLogOptions_AreRead_LastOneWins()
    {
        var (s, errors) = EmperorSettingsReader.Read(
        [
            new("emperor-log-dir", "/var/log/a"), new("emperor-log-dir", "/var/log/vassals"), new("emperor-log-maxsize", "1048576"),
            new("emperor-log-backups", "0"), new("emperor-log-format", "json"),
        ]);
        Assert.Empty(errors);
        Assert.Equal(("/var/log/vassals", 1048576L, 0, LogFormat.Json), (s.LogDir, s.LogMaxSize, s.LogBackups, s.LogFormat));
    }

    [Theory]
    [InlineData(":8099", "127.0.0.1:8099")]
    [InlineData("0.0.0.0:8099", "0.0.0.0:8099")]
    [InlineData("[::1]:8099", "[::1]:8099")]
    public void TheDashboard_OnABarePort_IsLoopbackOnly(string given, string bound)
    {
        var (s, errors) = EmperorSettingsReader.Read([new("emperor-dashboard", given)]);
        Assert.Empty(errors);
        Assert.Equal(bound, s.DashboardAddress);
    }
}
