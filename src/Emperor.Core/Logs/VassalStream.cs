namespace Emperor.Core.Logs;

/// <summary>Which of a vassal's output streams a line came from.</summary>
internal enum VassalStream
{
    Stdout,
    Stderr,
}
