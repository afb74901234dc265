namespace Emperor.IntegrationTests;

/// <summary>
/// The differential test: every case of ConfigCorpus/ expanded by real uWSGI (<c>uwsgi --show-config</c>) and by
/// our binary (<c>emperor --show-config</c>) must print the same block, byte for byte after normalisation, unless
/// the case documents a deliberate difference (docs/config-differences.md); then our block must equal the case's
/// <c>expected</c> file and uWSGI's must differ from it (so a stale exclusion is noticed).
/// </summary>
public sealed class ShowConfigDifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => [.. CorpusCase.Names()];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ShowConfig_CorpusCase_MatchesUwsgiOrDocumentedDifference(string name)
    {
        var outcome = await DifferentialRunner.RunAsync(name);
        if (outcome.Case.Difference is { } reason)
        {
            output.WriteLine($"documented difference: {reason}");
            Assert.True(outcome.DifferenceHolds, $"""
                {name}: documented difference no longer holds.
                expected (ours):
                {outcome.Case.Expected}
                emperor:
                {outcome.EmperorBlock}
                uwsgi:
                {outcome.UwsgiBlock}
                """);
            return;
        }

        Assert.True(outcome.Agrees, $"""
            {name}: emperor and uWSGI disagree.
            --- uwsgi
            {outcome.UwsgiBlock}
            --- emperor
            {outcome.EmperorBlock}
            --- emperor stderr
            {outcome.EmperorStandardError}
            """);
    }

    [Fact]
    public async Task ShowConfig_WholeCorpus_ReportsAgreement()
    {
        var names = CorpusCase.Names().ToList();
        var outcomes = new List<DifferentialOutcome>();
        foreach (var name in names)
        {
            outcomes.Add(await DifferentialRunner.RunAsync(name));
        }

        var compared = outcomes.Where(o => o.Case.Difference is null).ToList();
        var agreeing = compared.Count(o => o.Agrees);
        var withBlock = compared.Count(o => o.UwsgiBlock is { Length: > 0 });
        output.WriteLine($"differential agreement: {agreeing}/{compared.Count} compared cases byte-identical ({withBlock} print a block, {compared.Count - withBlock} are errors where neither prints one); {outcomes.Count - compared.Count} documented differences excluded:");
        output.WriteLine("  no block (uWSGI exits): " + string.Join(", ", compared.Where(o => o.UwsgiBlock is not { Length: > 0 }).Select(o => o.Case.Name)));
        foreach (var o in outcomes.Where(o => o.Case.Difference is not null))
        {
            output.WriteLine($"  {o.Case.Name}: {o.Case.Difference}");
        }

        Assert.True(names.Count >= 50, $"the corpus has {names.Count} cases; it should have at least 50");
        Assert.Equal(compared.Count, agreeing);
        Assert.All(outcomes.Where(o => o.Case.Difference is not null), o => Assert.True(o.DifferenceHolds, o.Case.Name));
    }
}
