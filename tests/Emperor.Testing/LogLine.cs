namespace Emperor.Testing;

/// <summary>One line a process under test printed (an Emperor's vassals share its streams), with when the test received it.</summary>
/// <param name="Index">Position in arrival order over both streams (0-based), so "after line N" questions are easy.</param>
/// <param name="At">When the line arrived, on the process's clock (by default: time since it was started).</param>
/// <param name="Text">The line, without its line end.</param>
/// <param name="IsStandardError">True for stderr, false for stdout.</param>
public readonly record struct LogLine(int Index, TimeSpan At, string Text, bool IsStandardError)
{
    public override string ToString() => $"[{At.TotalSeconds,7:0.000}] {Text}";
}
