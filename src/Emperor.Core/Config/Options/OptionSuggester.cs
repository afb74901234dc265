namespace Emperor.Core.Config.Options;

/// <summary>
/// "Did you mean --emperor-stats?": the nearest known option name to a mistyped one, by edit distance
/// (Damerau: a swap of two neighbours counts as one edit). Emperor options are preferred over the rest of
/// uWSGI's table, so that <c>--emperor-stat</c> suggests an Emperor option, not an obscure plugin one.
/// </summary>
internal static class OptionSuggester
{
    /// <summary>The suggested name (without dashes), or null when nothing is close enough.</summary>
    public static string? Suggest(string typed)
    {
        var name = typed.TrimStart('-');
        var eq = name.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            name = name[..eq];
        }

        if (name.Length < 2)
        {
            return null;
        }

        var limit = Math.Max(1, Math.Min(3, name.Length / 3));
        var catalog = EmperorOptionCatalog.All.SelectMany(s => s.Aliases.Prepend(s.Name));
        return Nearest(name, catalog, limit) ?? Nearest(name, UwsgiOptionTable.Names, limit);
    }

    private static string? Nearest(string name, IEnumerable<string> candidates, int limit)
    {
        string? best = null;
        var bestDistance = limit + 1;
        foreach (var candidate in candidates)
        {
            var d = Distance(name, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
