using Emperor.Core.Monitoring;
using Emperor.Core.Policies;
using Emperor.Core.Protocol;
using Emperor.Core.Vassals;

namespace Emperor.Core.Tests.Protocol;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData("READY=1", true, false, false, null)]
    [InlineData("READY=1\nSTATUS=serving 3 requests", true, false, false, "serving 3 requests")]
    [InlineData("WATCHDOG=1\n", false, false, true, null)]
    [InlineData("STOPPING=1", false, true, false, null)]
    [InlineData("RELOADING=1\nMONOTONIC_USEC=123", false, true, false, null)]
    [InlineData("READY=0\nWATCHDOG=trigger\n=1\nnoequals", false, false, false, null)]
    [InlineData("STATUS=", false, false, false, "")]
    public void Notify_datagrams_say_what_systemd_would_read(string datagram, bool ready, bool notReady, bool watchdog, string? status)
    {
        Assert.Equal(new NotifyMessage(ready, notReady, watchdog, status), NotifyMessage.Parse(datagram));
    }

    [Fact]
    public void Notify_status_is_cut_at_256_chars()
    {
        Assert.Equal(NotifyMessage.MaxStatus, NotifyMessage.Parse("STATUS=" + new string('x', 1000)).Status!.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65534)]
    [InlineData(65535)]
    [InlineData(200_000)]
    public void Config_frames_round_trip_in_both_forms(int size)
    {
        var config = new byte[size];
        new Random(size).NextBytes(config);
        var frame = ConfigFrame.Encode(config);
        Assert.Equal(ConfigFrame.Modifier1, frame[0]);
        Assert.Equal(size >= 0xFFFF ? ConfigFrame.HeaderSize + 4 + size : ConfigFrame.HeaderSize + size, frame.Length);
        Assert.Equal(config, ConfigFrame.TryDecode(frame, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData(new byte[] { }, "truncated")]
    [InlineData(new byte[] { 114, 1, 0, 0, 65 }, "modifier1 114")]
    [InlineData(new byte[] { 115, 0, 0, 0 }, "empty")]
    [InlineData(new byte[] { 115, 5, 0, 0, 65 }, "before the whole config")]
    [InlineData(new byte[] { 115, 0xFF, 0xFF, 1, 0xFF, 0xFF, 0xFF, 0x7F }, "the limit")]
    public void Bad_config_frames_are_errors_not_exceptions(byte[] frame, string expected)
    {
        Assert.Null(ConfigFrame.TryDecode(frame, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tyrant_gate_admits_anyone_outside_tyrant_mode_and_never_root_inside()
    {
        var root = new SourceEntry("a", 1, 0, 0);
        var user = new SourceEntry("b", 1, 1000, 1000);
        Assert.True(new TyrantGate(false).Admits(root));
        Assert.Equal((null, null), new TyrantGate(false).CredentialsFor(user));
        Assert.False(new TyrantGate(true).Admits(root));
        Assert.False(new TyrantGate(true).Admits(root with { Uid = 5 }));
        Assert.True(new TyrantGate(true).Admits(user));
        Assert.Equal((1000, 1000), new TyrantGate(true).CredentialsFor(user));
    }

    [Theory]
    [InlineData(0, 0, null)]
    [InlineData(143 << 8, 143, null)]
    [InlineData(15, null, 15)]
    [InlineData(9 | 0x80, null, 9)]
    public void Wait_statuses_decode_to_an_exit_code_or_a_signal(int status, int? code, int? signal)
    {
        Assert.Equal(new VassalExit(code, signal), VassalExit.FromWaitStatus(status));
    }
}
