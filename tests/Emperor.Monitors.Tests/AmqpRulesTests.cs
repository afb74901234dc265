using System.Text;
using Emperor.Amqp;

namespace Emperor.Monitors.Tests;

/// <summary>The amqp:// argument and what a message means (spec §2.7); pure.</summary>
public sealed class AmqpRulesTests
{
    [Theory]
    [InlineData("amqp://127.0.0.1:5672", "127.0.0.1", 5672, "guest", "guest", "/", "amqp://127.0.0.1:5672")]
    [InlineData("amqp://broker", "broker", 5672, "guest", "guest", "/", "amqp://broker")]
    [InlineData("amqp://broker/", "broker", 5672, "guest", "guest", "/", "amqp://broker/")]
    [InlineData("amqp://ops:s%40cret@broker:5673/prod", "broker", 5673, "ops", "s@cret", "prod", "amqp://ops:***@broker:5673/prod")]
    [InlineData("amqp://ops@broker/%2Fteam", "broker", 5672, "ops", "", "/team", "amqp://ops@broker/%2Fteam")]
    [InlineData("amqp://[::1]:5672", "::1", 5672, "guest", "guest", "/", "amqp://[::1]:5672")]
    public void Arguments_AsUwsgiWritesThem_AndTheLongerSyntaxItsCommentPromises(string argument, string host, int port, string user, string password, string vhost, string shown)
    {
        var source = AmqpSource.Parse(argument, out var error);
        Assert.Null(error);
        Assert.Equal(new AmqpSource(shown, host, port, user, password, vhost), source);
    }

    [Theory]
    [InlineData("amqp://", "no broker host")]
    [InlineData("amqp://broker:http", "is not a TCP port")]
    [InlineData("amqp://broker:0", "is not a TCP port")]
    [InlineData("amqp://[::1", "closing ]")]
    public void UnusableArguments_SayWhy(string argument, string reason)
    {
        Assert.Null(AmqpSource.Parse(argument, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static AmqpMessage? Message(string? key, string body, out string? error) =>
        AmqpMessage.Parse(key, Encoding.UTF8.GetBytes(body), [], 1024, out error);

    [Fact]
    public void ARoutingKey_NamesTheVassal_TheBodyIsItsConfig_AnEmptyBodyStopsIt()
    {
        Assert.Equal(new AmqpMessage(AmqpMessageKind.Config, "a.ini", "[uwsgi]\n"), Message("a.ini", "[uwsgi]\n", out _));
        Assert.Equal(new AmqpMessage(AmqpMessageKind.Stop, "a.ini", null), Message("a.ini", string.Empty, out _));
    }

    [Fact]
    public void WithoutRoutingKey_TheBodyIsAConfigPath_OrAnHttpUrl()
    {
        Assert.Equal(new AmqpMessage(AmqpMessageKind.File, "vassals/a.ini", null), Message(null, "vassals/a.ini", out _));
        var url = Message(string.Empty, "http://config.example/a.ini", out _);
        Assert.True(url is { Kind: AmqpMessageKind.File, IsUrl: true });
        Assert.False(Message(null, "a.ini", out _)!.IsUrl);
    }

    [Theory]
    [InlineData("a.conf", "[uwsgi]\n", "not a vassal name")]
    [InlineData("sub/a.ini", "[uwsgi]\n", "not a vassal name")]
    [InlineData(null, "", "neither routing key nor body")]
    [InlineData(null, "a.conf", "not a vassal file name")]
    public void WhatCannotBeUsed_SaysWhy(string? key, string body, string reason)
    {
        Assert.Null(Message(key, body, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_ConfigSize_PathLength_Utf8()
    {
        Assert.Null(Message("a.ini", new string('x', 1025), out var error));
        Assert.Contains("above the limit of 1024", error, StringComparison.Ordinal);
        Assert.Null(Message(null, new string('x', 251) + ".ini", out error));
        Assert.Contains("too long for a config path", error, StringComparison.Ordinal);
        Assert.NotNull(Message(null, new string('x', 250) + ".ini", out _));
        Assert.Null(AmqpMessage.Parse("a.ini", new byte[] { 0xc3, 0x28 }, [], 1024, out error));
        Assert.Contains("not UTF-8", error, StringComparison.Ordinal);
    }
}
