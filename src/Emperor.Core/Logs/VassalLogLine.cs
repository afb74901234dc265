namespace Emperor.Core.Logs;

/// <summary>One line a vassal printed, without its newline.</summary>
/// <param name="Time">When the Emperor read it.</param>
/// <param name="Vassal">The vassal's name.</param>
/// <param name="Pid">The process whose stream it came from.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Text">The line (invalid UTF-8 replaced by U+FFFD).</param>
internal sealed record VassalLogLine(DateTimeOffset Time, string Vassal, int Pid, VassalStream Stream, string Text);
