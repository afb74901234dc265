using System.Text;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// core/utils.c <c>magic_sub</c>: every '%' followed by any character is replaced by that character's table
/// entry, so <c>%%</c> is '%', <c>%(</c> survives for the placeholder pass, and an unknown <c>%Y</c> — even
/// <c>%</c> before a line break — disappears with its character. A '%' that ends the buffer pairs with the
/// terminating NUL (and vanishes) when the reader asked for one (all formats but XML).
/// </summary>
internal static class MagicSubstitution
{
    public static ConfigText Apply(SourceText[] segments, string name, MagicTable table, bool pairWithTerminator, List<ConfigDiagnostic> diagnostics)
    {
        var starts = new int[segments.Length];
        string combined;
        if (segments.Length == 1)
        {
            combined = segments[0].Text;
        }
        else
        {
            var sb = new StringBuilder();
            for (var s = 0; s < segments.Length; s++)
            {
                starts[s] = sb.Length;
                sb.Append(segments[s].Text);
            }

            combined = sb.ToString();
        }

        var first = combined.IndexOf('%', StringComparison.Ordinal);
        if (first < 0)
        {
            return new ConfigText(combined, segments, starts, null, null, name);
        }

        var output = new StringBuilder(combined.Length + 64);
        var outOffsets = new List<int> { 0 };
        var inOffsets = new List<int> { 0 };
        output.Append(combined, 0, first);
        var i = first;
        while (i < combined.Length)
        {
            var c = combined[i];
            if (c != '%')
            {
                var next = combined.IndexOf('%', i);
                if (next < 0)
                {
                    next = combined.Length;
                }

                output.Append(combined, i, next - i);
                i = next;
                continue;
            }

            if (i + 1 >= combined.Length)
            {
                if (pairWithTerminator)
                {
                    outOffsets.Add(output.Length);
                    inOffsets.Add(i);
                }
                else
                {
                    output.Append('%');
                }

                i++;
                continue;
            }

            var key = combined[i + 1];
            var width = char.IsHighSurrogate(key) && i + 2 < combined.Length && char.IsLowSurrogate(combined[i + 2]) ? 2 : 1;
            if (key >= 128)
            {
                diagnostics.Add(new ConfigDiagnostic(Locate(segments, starts, i), ConfigSeverity.Warning, ConfigDiagnosticCode.PercentBeforeNonAscii, ConfigMessages.PercentBeforeNonAscii(key)));
            }

            outOffsets.Add(output.Length);
            inOffsets.Add(i);
            output.Append(table[key]);
            outOffsets.Add(output.Length);
            inOffsets.Add(i + 1 + width);
            i += 1 + width;
        }

        return new ConfigText(output.ToString(), segments, starts, [.. outOffsets], [.. inOffsets], name);
    }

    private static ConfigLocation Locate(SourceText[] segments, int[] starts, int offset)
    {
        var s = segments.Length - 1;
        while (s > 0 && starts[s] > offset)
        {
            s--;
        }

        return segments[s].GetLocation(offset - starts[s]);
    }
}
