using Emperor.Core.Config;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.VassalRole;

/// <summary>The log options planned as uWSGI reads them (core/logging.c, core/uwsgi.c).</summary>
public sealed class VassalLogPlanTests
{
    private static readonly ConfigOption s_patch = new("unprivileged-binary-patch", "/bin/true");

    [Fact]
    public void LogtoWithRotation_CarriesEveryLogOption_LastValueWins()
    {
        var (plan, errors) = VassalPlanner.Plan(
            [new("logto", "/var/log/a.log"), new("logto", "/var/log/b.log"), new("log-maxsize", "1048576"), new("log-backupname", "/var/log/b.old"), new("log-truncate", "true"), new("logfile-chmod", "644"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(new LogSpec("logto", "/var/log/b.log") { MaxSize = 1_048_576, BackupName = "/var/log/b.old", Truncate = true, Chmod = 420 }, plan.LogTo);
        Assert.Null(plan.LogTo2);
        Assert.Empty(plan.IgnoredOptions);
    }

    [Fact]
    public void Daemonize_WinsOverLogto_AndLogto2IsItsOwnFile()
    {
        var (plan, errors) = VassalPlanner.Plan([new("logto", "/var/log/a.log"), new("daemonize", "/var/log/d.log"), new("logto2", "/var/log/u.log"), s_patch]);

        Assert.Empty(errors);
        Assert.Equal(new LogSpec("daemonize", "/var/log/d.log"), plan.LogTo);
        Assert.Equal(new LogSpec("logto2", "/var/log/u.log"), plan.LogTo2);
    }

    [Theory]
    [InlineData("logfile-chmod", "7777", "logfile-chmod = 7777: expected three octal digits such as 640")]
    [InlineData("logfile-chmod", "68x", "logfile-chmod = 68x: expected three octal digits such as 640")]
    [InlineData("log-maxsize", "big", "log-maxsize = big: expected a whole number")]
    [InlineData("logto", "10.0.0.1:514", "logto = 10.0.0.1:514: logging to a UDP address is not supported by the Emperor's vassal role; name a file, or start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI")]
    public void ABadLogValue_IsOneErrorNamingTheOption(string key, string value, string error)
    {
        var (_, errors) = VassalPlanner.Plan([new(key, value), s_patch]);

        Assert.Equal([error], errors);
    }

    [Fact]
    public void LogMaxsizeWithoutAFile_RotatesNothing_AsInUwsgi()
    {
        var (plan, errors) = VassalPlanner.Plan([new("log-maxsize", "1000"), s_patch]);

        Assert.Empty(errors);
        Assert.Null(plan.LogTo);
    }
}
