namespace Emperor.Core.Logs;

/// <summary><c>--emperor-log-format</c>: how captured lines are written.</summary>
internal enum LogFormat
{
    /// <summary>The line as the vassal printed it (prefixed with <c>[NAME] </c> on the Emperor's own stream).</summary>
    Text,

    /// <summary>One JSON object a line: time, vassal, pid, stream, line.</summary>
    Json,
}
