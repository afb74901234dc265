namespace Emperor.Core.Config;

/// <summary>A position in a configuration source: 1-based line and column (UTF-16 code units).</summary>
/// <param name="Source">File name as given by the user, or a pseudo name such as <c>&lt;command line&gt;</c>.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
internal readonly record struct ConfigLocation(string Source, int Line, int Column)
{
    public override string ToString() => $"{Source}:{Line}:{Column}";
}
