using System.Text;
using Emperor.Zmq;

namespace Emperor.Monitors.Tests;

/// <summary>emperor_zeromq's message parts (spec §2.8), read by position; pure.</summary>
public sealed class ZmqCommandTests
{
    private static ZmqCommand? Parse(out string? error, params string[] parts) =>
        ZmqCommand.Parse([.. parts.Select(Encoding.UTF8.GetBytes)], [], out error);

    [Fact]
    public void TwoToSixParts_AreCommandNameConfigUidGidSocket()
    {
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", null, 0, 0, null), Parse(out _, "touch", "a.ini"));
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", "[uwsgi]\n", 0, 0, null), Parse(out _, "touch", "a.ini", "[uwsgi]\n"));
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", "[uwsgi]\n", 1000, 0, null), Parse(out _, "touch", "a.ini", "[uwsgi]\n", "1000"));

        // Five parts: uWSGI invents an empty sixth (and never starts the vassal); the intended meaning is no socket.
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", "[uwsgi]\n", 1000, 1001, null), Parse(out _, "touch", "a.ini", "[uwsgi]\n", "1000", "1001"));
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", "[uwsgi]\n", 1000, 1001, "/tmp/a.sock"), Parse(out _, "touch", "a.ini", "[uwsgi]\n", "1000", "1001", "/tmp/a.sock"));

        // Empty parts mean absent, as uWSGI reads them: an empty config is a file, an empty uid is 0.
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Touch, "a.ini", null, 0, 7, null), Parse(out _, "touch", "a.ini", string.Empty, string.Empty, "7"));
        Assert.Equal(new ZmqCommand(ZmqCommandKind.Destroy, "a.ini", null, 0, 0, null), Parse(out _, "destroy", "a.ini"));
    }

    [Theory]
    [InlineData("bad message received (command and instance name required)", "touch")]
    [InlineData("unknown command \"reload\"", "reload", "a.ini")]
    [InlineData("unknown command \"TOUCH\"", "TOUCH", "a.ini")]
    [InlineData("not a vassal name", "touch", "a.conf")]
    [InlineData("climbs out of the Emperor's directory", "touch", "../etc/a.ini")]
    [InlineData("climbs out of the Emperor's directory", "destroy", "")]
    [InlineData("must be decimal numbers", "touch", "a.ini", "[uwsgi]\n", "-1")]
    [InlineData("must be decimal numbers", "touch", "a.ini", "[uwsgi]\n", "0", "99999999999")]
    public void WhatIsNotACommand_SaysWhy(string reason, params string[] parts)
    {
        Assert.Null(Parse(out var error, parts));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfigThatIsNotUtf8_IsRefused()
    {
        Assert.Null(ZmqCommand.Parse(["touch"u8.ToArray(), "a.ini"u8.ToArray(), [0xff, 0xfe]], [], out var error));
        Assert.Contains("not UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraExtensions_AreVassalNames()
    {
        Assert.NotNull(ZmqCommand.Parse([.. new[] { "touch", "a.conf" }.Select(Encoding.UTF8.GetBytes)], [".conf"], out _));
    }
}
