namespace Emperor.Core.Vassals;

/// <summary>
/// Which names are vassals and which loader flag starts them (spec §2.2, §3.2.2). Matching is a plain,
/// case-sensitive suffix test, as uWSGI's <c>uwsgi_emperor_is_valid</c> does.
/// </summary>
internal static class VassalFormat
{
    /// <summary>uWSGI refuses names of 255 bytes or more.</summary>
    public const int MaxNameBytes = 254;

    private static readonly (string Suffix, string Flag)[] s_known =
    [
        (".xml", "--xml"),
        (".ini", "--ini"),
        (".yml", "--yaml"),
        (".yaml", "--yaml"),
        (".js", "--json"),
        (".json", "--json"),
    ];

    /// <summary>Returns the loader flag for <paramref name="name"/>, or null when it is not a vassal name.</summary>
    public static string? FlagFor(string name, IReadOnlyList<string> extraExtensions)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            return null;
        }

        foreach (var (suffix, flag) in s_known)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return flag;
            }
        }

        foreach (var extra in extraExtensions)
        {
            if (extra.Length > 0 && name.EndsWith(extra, StringComparison.Ordinal))
            {
                return "--config";
            }
        }

        return null;
    }

    public static bool IsVassalName(string name, IReadOnlyList<string> extraExtensions) =>
        FlagFor(name, extraExtensions) is not null;
}
