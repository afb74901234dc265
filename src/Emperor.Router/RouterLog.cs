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
}
