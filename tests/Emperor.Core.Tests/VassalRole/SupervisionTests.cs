using Emperor.Core.Config;
using Emperor.Core.VassalRole;

namespace Emperor.Core.Tests.VassalRole;

/// <summary>The supervision options a vassal file gives the Emperor: reload-mode, ready-check, ready-timeout, stop-signal.</summary>
public sealed class SupervisionTests
{
    private static (Supervision Value, List<string> Errors) Read(ReloadMode fallback, params (string Key, string Value)[] options) =>
        Supervision.Read([.. options.Select(o => new ConfigOption(o.Key, o.Value))], fallback);

    [Fact]
    public void Defaults_are_restart_no_check_30_seconds_and_sigterm_and_the_emperor_default_mode_applies()
    {
        Assert.Equal(Supervision.Default, Read(ReloadMode.Restart).Value);
        Assert.Equal(ReloadMode.Overlap, Read(ReloadMode.Overlap).Value.Mode);
        Assert.Equal(ReloadMode.Restart, Read(ReloadMode.Overlap, ("reload-mode", "restart")).Value.Mode); // the file wins
    }

    [Fact]
    public void Every_option_is_read_and_the_last_occurrence_wins()
    {
        var (s, errors) = Read(
            ReloadMode.Restart,
            ("reload-mode", "overlap"),
            ("ready-check", "tcp"),
            ("ready-check", "http://127.0.0.1:8080/health"),
            ("ready-timeout", "5"),
            ("stop-signal", "SIGQUIT"));
        Assert.Empty(errors);
        Assert.Equal(new Supervision(ReloadMode.Overlap, "http://127.0.0.1:8080/health", TimeSpan.FromSeconds(5), Signals.Sigquit), s);
        Assert.Equal(Signals.Sigint, Read(ReloadMode.Restart, ("stop-signal", "int")).Value.StopSignal);
        Assert.Equal(Signals.Sigwinch, Read(ReloadMode.Restart, ("stop-signal", "28")).Value.StopSignal);
    }

    [Theory]
    [InlineData("reload-mode", "graceful", "reload-mode = graceful: expected restart or overlap")]
    [InlineData("ready-check", "https://x:1/", "ready-check = https://x:1/: expected tcp or http://HOST:PORT/PATH")]
    [InlineData("ready-timeout", "0", "ready-timeout = 0: expected a whole number of seconds from 1 to 86400")]
    [InlineData("stop-signal", "KILL", "stop-signal = KILL: expected a signal name such as TERM, QUIT or INT, or its number")]
    [InlineData("stop-signal", "9", "stop-signal = 9: expected a signal name such as TERM, QUIT or INT, or its number")]
    public void A_bad_value_is_one_error_naming_the_option(string key, string value, string error)
    {
        var (s, errors) = Read(ReloadMode.Restart, (key, value));
        Assert.Equal([error], errors);
        Assert.Equal(Supervision.Default, s);
    }
}
