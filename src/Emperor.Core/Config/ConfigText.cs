namespace Emperor.Core.Config;

/// <summary>
/// The text a format reader sees, which may differ from the file on disk: inject-before/after blobs are glued
/// around it and magic variables are substituted (core/io.c <c>uwsgi_open_and_read</c>). Offsets into
/// <see cref="Text"/> map back to the original source and line, so diagnostics point at what the user wrote.
/// </summary>
internal sealed class ConfigText
{
    private readonly SourceText[] _segments;
    private readonly int[] _segmentStarts;
    private readonly int[]? _outOffsets;
    private readonly int[]? _inOffsets;
    private SourceText? _self;

    internal ConfigText(string text, SourceText[] segments, int[] segmentStarts, int[]? outOffsets, int[]? inOffsets, string name)
    {
        Text = text;
        _segments = segments;
        _segmentStarts = segmentStarts;
        _outOffsets = outOffsets;
        _inOffsets = inOffsets;
        Name = name;
    }

    /// <summary>The text to parse.</summary>
    public string Text { get; }

    /// <summary>Name of the main source.</summary>
    public string Name { get; }

    /// <summary>A text that is its own source (no substitution happened).</summary>
    public static ConfigText Plain(string text, string name)
    {
        var source = new SourceText(name, text);
        return new ConfigText(text, [source], [0], null, null, name);
    }

    /// <summary>Where the character at <paramref name="offset"/> of <see cref="Text"/> came from.</summary>
    public ConfigLocation GetLocation(int offset)
    {
        var combined = offset;
        if (_outOffsets is not null && _inOffsets is not null)
        {
            var k = UpperBound(_outOffsets, offset) - 1;
            combined = _inOffsets[k] + (offset - _outOffsets[k]);
            if (k + 1 < _inOffsets.Length && combined >= _inOffsets[k + 1])
            {
                // Inside a substituted value: point at the '%' that produced it.
                combined = _inOffsets[k];
            }
        }

        var segment = UpperBound(_segmentStarts, combined) - 1;
        segment = Math.Clamp(segment, 0, _segments.Length - 1);
        return _segments[segment].GetLocation(combined - _segmentStarts[segment]);
    }

    /// <summary>Offset in <see cref="Text"/> of a 1-based line and column of <see cref="Text"/> (XML and JSON
    /// parsers report positions that way).</summary>
    public int GetOffset(int line, int column) => (_self ??= new SourceText(Name, Text)).GetOffset(line, column);

    /// <summary>Index of the first element greater than <paramref name="value"/> (arrays are sorted ascending).</summary>
    private static int UpperBound(int[] sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
