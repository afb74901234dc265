namespace Emperor.Testing;

/// <summary>Generous upper bounds for awaited conditions (they pass as soon as the condition holds).</summary>
public static class Deadlines
{
    /// <summary>For anything a live child should do promptly: start, answer, report, exit.</summary>
    public static readonly TimeSpan Child = TimeSpan.FromSeconds(10);

    /// <summary>For an Emperor to notice a file (inotify or the next periodic scan) and spawn or restart a vassal.</summary>
    public static readonly TimeSpan Emperor = TimeSpan.FromSeconds(15);

    /// <summary>Per-test timeout in milliseconds, for [Fact(Timeout = ...)].</summary>
    public const int Test = 60_000;
}
