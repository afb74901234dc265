namespace Emperor.IntegrationTests.Emperor;

/// <summary>One line the Emperor (or a vassal sharing its stdout/stderr) printed, with when the test received it.</summary>
/// <param name="Index">Position in arrival order (0-based), so "after line N" questions are easy.</param>
/// <param name="At">Time since the Emperor was started, as measured by the test when the line arrived.</param>
/// <param name="Text">The line, without its line end.</param>
internal readonly record struct LogLine(int Index, TimeSpan At, string Text)
{
    public override string ToString() => $"[{At.TotalSeconds,7:0.000}] {Text}";
}
