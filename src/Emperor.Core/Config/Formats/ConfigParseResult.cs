namespace Emperor.Core.Config.Formats;

/// <summary>What a format reader found: the options of the selected section, in order, and every diagnostic.</summary>
internal sealed record ConfigParseResult(IReadOnlyList<ConfigEntry> Entries, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == ConfigSeverity.Error);
}
