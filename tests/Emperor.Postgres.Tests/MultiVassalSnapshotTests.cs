using System.Text;

namespace Emperor.Postgres.Tests;

/// <summary>Rows holding multi-vassal documents → one entry per listed section, stamps kept for unchanged sections.</summary>
public sealed class MultiVassalSnapshotTests
{
    private static readonly SnapshotRules s_rules = new(Tyrant: false, ExtraExtensions: []);

    private static VassalRow Row(string name, string config, string ts) => new()
    {
        Number = 1,
        Name = Encoding.UTF8.GetBytes(name),
        Config = Encoding.UTF8.GetBytes(config),
        ConfigSize = Encoding.UTF8.GetByteCount(config),
        Ts = ts,
    };

    private static string Doc(string list, string a, string b, string common = "1") =>
        $"[emperor]\nvassals = {list}\n[common]\nx = {common}\n[a]\nini = :common\nv = {a}\n[b]\nv = {b}\n";

    [Fact]
    public void MultiVassalDocument_IsOneEntryPerSection_EachPushedTheWholeDocument()
    {
        var doc = Doc("a b", "1", "1");
        var result = SnapshotBuilder.Build([Row("s.ini", doc, "100")], 3, s_rules, null);
        Assert.Equal(["s.ini:a", "s.ini:b"], result.Entries!.Keys.Order(StringComparer.Ordinal));
        Assert.All(result.Entries.Values, e => Assert.Equal(doc, e.InlineConfig));
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void AnUpdate_KeepsTheStampAndTextOfUnchangedSections_AndALoadedSectionCounts()
    {
        var first = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "1"), "100")], 3, s_rules, null).Entries!;
        var second = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "2"), "200")], 3, s_rules, first).Entries!;
        Assert.Same(first["s.ini:a"], second["s.ini:a"]);
        Assert.Equal(200_000_000_000L, second["s.ini:b"].ModifiedNs);

        // [common] is loaded by a only; a third scan whose document still differs from a's (older) text keeps a.
        var third = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "3"), "300")], 3, s_rules, second).Entries!;
        Assert.Same(first["s.ini:a"], third["s.ini:a"]);
        var fourth = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "3", common: "2"), "400")], 3, s_rules, third).Entries!;
        Assert.Equal(400_000_000_000L, fourth["s.ini:a"].ModifiedNs);
        Assert.Same(third["s.ini:b"], fourth["s.ini:b"]);
    }

    [Fact]
    public void AMissingListedSection_IsAProblem_AndABrokenUpdateKeepsEverySection()
    {
        var result = SnapshotBuilder.Build([Row("s.ini", Doc("a nope", "1", "1"), "100")], 3, s_rules, null);
        Assert.Equal(["s.ini:a"], result.Entries!.Keys);
        Assert.Contains(result.Problems, p => p.Message.Contains("no such section", StringComparison.Ordinal) && p.Message.Contains("s.ini", StringComparison.Ordinal));

        var good = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "1"), "100")], 3, s_rules, null).Entries!;
        var broken = SnapshotBuilder.Build([Row("s.ini", Doc("a b", "1", "1"), "not a time")], 3, s_rules, good);
        Assert.Equal(["s.ini:a", "s.ini:b"], broken.Entries!.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(broken.Problems, p => p.Message.Contains("its 2 vassals keep their previous config", StringComparison.Ordinal));
    }

    [Fact]
    public void ADocumentWithoutAnEmperorSection_StaysOneVassal()
    {
        var result = SnapshotBuilder.Build([Row("s.ini", "[uwsgi]\nvassals = a\n[a]\nx = 1\n", "100")], 3, s_rules, null);
        Assert.Equal(["s.ini"], result.Entries!.Keys);
    }
}
