namespace Emperor.Unix.Tests;

/// <summary>Generous upper bounds for awaited conditions (they pass as soon as the condition holds).</summary>
internal static class Deadlines
{
    /// <summary>For anything a live child should do promptly: start, answer, exit.</summary>
    public static readonly TimeSpan Child = TimeSpan.FromSeconds(10);

    /// <summary>Per-test timeout in milliseconds, for [Fact(Timeout = ...)].</summary>
    public const int Test = 60_000;
}
