namespace Emperor.Core.Config;

/// <summary>The decoded text of one configuration source and its line table, for turning offsets into locations.</summary>
internal sealed class SourceText
{
    private int[]? _lineStarts;

    public SourceText(string name, string text)
    {
        Name = name;
        Text = text;
    }

    /// <summary>The name diagnostics show (the file name as the user wrote it).</summary>
    public string Name { get; }

    public string Text { get; }

    /// <summary>1-based line and column of a character offset (clamped to the text).</summary>
    public ConfigLocation GetLocation(int offset)
    {
        var starts = LineStarts;
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = Array.BinarySearch(starts, offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new ConfigLocation(Name, line + 1, offset - starts[line] + 1);
    }

    /// <summary>Offset of a 1-based line and column (clamped), the inverse of <see cref="GetLocation"/>.</summary>
    public int GetOffset(int line, int column)
    {
        var starts = LineStarts;
        var index = Math.Clamp(line - 1, 0, starts.Length - 1);
        return Math.Clamp(starts[index] + Math.Max(column - 1, 0), 0, Text.Length);
    }

    private int[] LineStarts => _lineStarts ??= ComputeLineStarts(Text);

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        var index = text.IndexOf('\n', StringComparison.Ordinal);
        while (index >= 0)
        {
            starts.Add(index + 1);
            index = text.IndexOf('\n', index + 1);
        }

        return [.. starts];
    }
}
