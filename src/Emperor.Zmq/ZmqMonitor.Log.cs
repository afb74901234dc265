using Microsoft.Extensions.Logging;

namespace Emperor.Zmq;

/// <summary>The zmq:// monitor's lines, worded after uWSGI's <c>[emperor-zeromq]</c> ones.</summary>
internal sealed partial class ZmqMonitor
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "[emperor-zeromq] {Source}: PULL socket bound on {Address}; waiting for touch/destroy messages")]
    private static partial void LogListening(ILogger logger, string source, string address);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "[emperor-zeromq] {Message}{More}")]
    private static partial void LogProblem(ILogger logger, string message, string more);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "[emperor-zeromq] touch \"{Name}\": on-demand sockets are not supported; the socket part (\"{Socket}\") is ignored and the vassal runs normally")]
    private static partial void LogSocketIgnored(ILogger logger, string name, string socket);
}
