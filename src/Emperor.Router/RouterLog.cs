using Microsoft.Extensions.Logging;

namespace Emperor.Router;

/// <summary>The router's log lines, source-generated so a disabled level costs nothing (and AOT stays clean).</summary>
internal static partial class RouterLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "subscription server {Address}: receive failed: {Reason}")]
    public static partial void ReceiveFailed(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} {Key} -> {Node} (from {Source})")]
    public static partial void Changed(ILogger logger, string command, string key, string node, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "subscription server {Address}: bad packet from {Source}: {Reason} ({Count} bad so far)")]
    public static partial void BadPacket(ILogger logger, string address, string source, string reason, long count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} {Address}: bad request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string kind, string address, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind}: unable to find a node for {Host}{Path}")]
    public static partial void NoNode(ILogger logger, string kind, string host, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Address} of {Key} refused the connection ({Reason}); skipping it for a while")]
    public static partial void NodeDead(ILogger logger, string key, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "*** {Kind} enabled on {Address} ***")]
    public static partial void FrontEnabled(ILogger logger, string kind, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "*** subscription server enabled on {Address} ***")]
    public static partial void SubscriptionEnabled(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Address} of {Key} expired (no announce within the tolerance)")]
    public static partial void Expired(ILogger logger, string key, string address);
}
