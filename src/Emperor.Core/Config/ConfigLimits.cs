namespace Emperor.Core.Config;

/// <summary>
/// Hard limits that keep the reader bounded on hostile or broken input. uWSGI has none of these; every limit
/// that is hit becomes an error diagnostic, never a silent truncation (docs/config-differences.md).
/// </summary>
internal sealed record ConfigLimits
{
    /// <summary>The default limits.</summary>
    public static ConfigLimits Default { get; } = new();

    /// <summary>Largest configuration file (or command output, or pushed config) read: 16 MiB.</summary>
    public int MaxFileBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest number of entries in the final option list (guards <c>for-times</c> and friends).</summary>
    public int MaxOptions { get; init; } = 100_000;

    /// <summary>Deepest chain of files loading files (<c>include</c>, <c>ini</c>, <c>inherit</c>...).</summary>
    public int MaxIncludeDepth { get; init; } = 32;

    /// <summary>Deepest XML element / JSON container / YAML collection nesting.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Most substitutions one expansion pass may make in one value (self-referencing placeholders).</summary>
    public int MaxExpansionsPerValue { get; init; } = 10_000;

    /// <summary>Longest value an expansion may produce, in characters.</summary>
    public int MaxValueLength { get; init; } = 1024 * 1024;
}
