namespace Emperor.IntegrationTests;

/// <summary>The normalised <c>--show-config</c> blocks of one corpus case ("" when none was printed).</summary>
internal sealed record DifferentialOutcome(CorpusCase Case, string? UwsgiBlock, string EmperorBlock, string EmperorStandardError)
{
    public bool Agrees => Case.Difference is null && string.Equals(UwsgiBlock, EmperorBlock, StringComparison.Ordinal);

    /// <summary>For a documented difference: we print what <c>expected</c> says, and uWSGI (when run) does differ.</summary>
    public bool DifferenceHolds =>
        Case.Difference is not null
        && string.Equals(Case.Expected ?? string.Empty, EmperorBlock, StringComparison.Ordinal)
        && (UwsgiBlock is null || !string.Equals(UwsgiBlock, EmperorBlock, StringComparison.Ordinal));
}
