using Emperor.Core.Config;

namespace Emperor.Core.Emperor;

/// <summary>
/// Whether a vassal config the Emperor has read (<see cref="VassalConfigReader"/>) may be started, and if not the one
/// line that says why: <c>LINE:COL first error (and N more)</c>. A config its vassal would refuse costs no process
/// and one line per change instead of a crash loop that repeats every diagnostic (issue #17: a garbage file once cost
/// 3,932 spawns and 52 MB of log in 30 s). For our own vassal role every error counts, because it refuses exactly
/// those; a foreign binary (a real uWSGI) only loses what uWSGI itself cannot survive, an include cycle (it recurses
/// until it crashes) — its own idea of an error may differ from ours, and we must not refuse what it would run.
/// Pure.
/// </summary>
internal static class ConfigRefusal
{
    /// <summary>The longest first error quoted (a diagnostic may quote a long line of the file).</summary>
    public const int MaxMessageChars = 300;

    /// <summary>Null when <paramref name="loaded"/> may start, else the reason.</summary>
    /// <param name="loaded">The Emperor's reading of the config.</param>
    /// <param name="arguments">The vassal's argv: a location in the vassal's own file is named by line and column
    /// only, one in another file (an include) by that file too.</param>
    /// <param name="ownRole">Whether our own vassal role runs it (else a foreign binary).</param>
    public static string? Of(ConfigLoadResult loaded, IReadOnlyList<string> arguments, bool ownRole)
    {
        ConfigDiagnostic? first = null;
        var count = 0;
        foreach (var d in loaded.Diagnostics)
        {
            if (d.Severity == ConfigSeverity.Error && (ownRole || d.Code == ConfigDiagnosticCode.IncludeCycle))
            {
                first ??= d;
                count++;
            }
        }

        return first is null ? null : $"{Where(first.Location, arguments)} {Bounded(first.Message)}{More(count - 1)}";
    }

    /// <summary>The reason for errors without a location (the vassal role's plan of the options), or null for none.</summary>
    public static string? Of(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? null : Bounded(errors[0]) + More(errors.Count - 1);

    private static string Where(ConfigLocation at, IReadOnlyList<string> arguments)
    {
        var own = false;
        foreach (var a in arguments)
        {
            // The file as the vassal's argv names it: "app.ini", "app.ini:section", "emperor://app.ini".
            if (a == at.Source || a == "emperor://" + at.Source || (a.StartsWith(at.Source, StringComparison.Ordinal) && a.Length > at.Source.Length && a[at.Source.Length] == ':'))
            {
                own = true;
                break;
            }
        }

        return own ? $"{at.Line}:{at.Column}" : at.ToString();
    }

    private static string Bounded(string message) =>
        message.Length <= MaxMessageChars ? message : string.Concat(message.AsSpan(0, MaxMessageChars), "…");

    private static string More(int more) => more > 0 ? $" (and {more} more)" : string.Empty;
}
