using Microsoft.Extensions.Logging;

namespace Emperor.Amqp;

/// <summary>One line per event: subscribed, an outage and its end, a message that cannot be used (rate-limited).</summary>
internal sealed partial class AmqpMonitor
{
    [LoggerMessage(EventId = 330, Level = LogLevel.Information, Message = "[emperor-amqp] {Source}: queue {Queue} bound to the fanout exchange {Exchange}; waiting for messages")]
    private static partial void LogConnected(ILogger logger, string source, string queue, string exchange);

    [LoggerMessage(EventId = 331, Level = LogLevel.Warning, Message = "[emperor-amqp] {Source}: cannot reach the broker ({Error}); keeping every vassal as it is and reconnecting (every {MinBackoff} s, slowing to every {MaxBackoff} s); messages sent meanwhile are lost")]
    private static partial void LogUnavailable(ILogger logger, string source, string error, double minBackoff, double maxBackoff);

    [LoggerMessage(EventId = 332, Level = LogLevel.Warning, Message = "[emperor-amqp] {Source}: the broker is back after {Seconds:0.0} s; subscribed again ({Count} vassals kept)")]
    private static partial void LogRecovered(ILogger logger, string source, double seconds, int count);

    /// <summary>uWSGI logs every routing key it receives; this says what each message asks for.</summary>
    [LoggerMessage(EventId = 334, Level = LogLevel.Information, Message = "[emperor-amqp] message: {What} {Name}")]
    private static partial void LogMessage(ILogger logger, string what, string name);

    [LoggerMessage(EventId = 335, Level = LogLevel.Information, Message = "[emperor-amqp] {Name}: no regular file at {Path}; its vassal, if any, stops")]
    private static partial void LogNoFile(ILogger logger, string name, string path);

    [LoggerMessage(EventId = 336, Level = LogLevel.Error, Message = "[emperor-amqp] a message could not be applied: {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 333, Level = LogLevel.Warning, Message = "[emperor-amqp] ignoring a message: {Error}{More}")]
    private static partial void LogBadMessage(ILogger logger, string error, string more);
}
