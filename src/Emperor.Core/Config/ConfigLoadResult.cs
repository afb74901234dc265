namespace Emperor.Core.Config;

/// <summary>
/// The final option list (uWSGI's <c>exported_opts</c> after <c>uwsgi_configure</c>, command-line entries
/// included) and every diagnostic met on the way. Options are present even when there are errors: they are what
/// could be read.
/// </summary>
internal sealed record ConfigLoadResult(IReadOnlyList<ConfigOption> Options, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    /// <summary>Where each entry of <see cref="Options"/> was written (same index), so a consumer can name the file and
    /// line of an option it refuses. Empty when the result was built without them.</summary>
    public IReadOnlyList<ConfigLocation> Locations { get; init; } = [];

    public bool HasErrors => Diagnostics.Any(d => d.Severity == ConfigSeverity.Error);

    /// <summary>The first value of <paramref name="key"/> (what <c>%(key)</c> sees), or <see langword="null"/>.</summary>
    public string? GetFirst(string key)
    {
        foreach (var option in Options)
        {
            if (string.Equals(option.Key, key, StringComparison.Ordinal))
            {
                return option.Value;
            }
        }

        return null;
    }

    /// <summary>Every value of <paramref name="key"/>, in order (list options accumulate).</summary>
    public IEnumerable<string?> GetAll(string key) =>
        Options.Where(o => string.Equals(o.Key, key, StringComparison.Ordinal)).Select(o => o.Value);

    /// <summary>A boolean option as uWSGI's <c>uwsgi_opt_true</c> sets it: the last occurrence wins; present means
    /// true unless its value is false/off/no (any case) or exactly "0".</summary>
    public bool GetFlag(string key)
    {
        var result = false;
        foreach (var option in Options)
        {
            if (string.Equals(option.Key, key, StringComparison.Ordinal))
            {
                var v = option.Value;
                result = v is null || !(v == "0" || v.Equals("false", StringComparison.OrdinalIgnoreCase)
                    || v.Equals("off", StringComparison.OrdinalIgnoreCase) || v.Equals("no", StringComparison.OrdinalIgnoreCase));
            }
        }

        return result;
    }
}
