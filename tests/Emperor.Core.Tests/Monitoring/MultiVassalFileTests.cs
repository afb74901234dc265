using Emperor.Core.Monitoring;

namespace Emperor.Core.Tests.Monitoring;

/// <summary>One file, many vassals: which sections are vassals, and which edits change which of them; pure.</summary>
public sealed class MultiVassalFileTests
{
    private const string Ini = """
        [emperor]
        vassals = web worker

        [common]
        master = true

        [web]
        ini = :common
        http-socket = :8080

        [worker]
        ini = :common
        smart-attach-daemon = /tmp/w.pid w

        [unlisted]
        x = 1
        """;

    private static Dictionary<string, string> Vassals(string text, string name = "app.ini") =>
        MultiVassalFile.Read(text, name, out var problems)!.ToDictionary(v => v.Section, v => v.Fingerprint, StringComparer.Ordinal) is var d && problems.Count == 0
            ? d
            : throw new InvalidOperationException(string.Join("; ", problems));

    [Fact]
    public void TheListedSections_AreTheVassals_InOrder()
    {
        var vassals = MultiVassalFile.Read(Ini, "app.ini", out var problems)!;
        Assert.Empty(problems);
        Assert.Equal(["web", "worker"], vassals.Select(v => v.Section));
    }

    [Fact]
    public void AStar_IsEverySectionButEmperor()
    {
        var text = Ini.Replace("vassals = web worker", "vassals = *", StringComparison.Ordinal);
        Assert.Equal(["common", "web", "worker", "unlisted"], MultiVassalFile.Read(text, "app.ini", out _)!.Select(v => v.Section));
    }

    [Fact]
    public void AnEdit_ChangesTheFingerprintOfTheSectionsItTouches_SharedSectionsIncluded()
    {
        var before = Vassals(Ini);
        var webEdited = Vassals(Ini.Replace("http-socket = :8080", "http-socket = :8081", StringComparison.Ordinal));
        Assert.NotEqual(before["web"], webEdited["web"]);
        Assert.Equal(before["worker"], webEdited["worker"]);

        var unlistedEdited = Vassals(Ini.Replace("x = 1", "x = 2", StringComparison.Ordinal));
        Assert.Equal(before, unlistedEdited);

        // [common] is loaded by both (ini = :common): both change.
        var commonEdited = Vassals(Ini.Replace("master = true", "master = false", StringComparison.Ordinal));
        Assert.NotEqual(before["web"], commonEdited["web"]);
        Assert.NotEqual(before["worker"], commonEdited["worker"]);
    }

    [Fact]
    public void AListedSectionTheFileLacks_IsAProblem_NotAVassal()
    {
        var text = Ini.Replace("vassals = web worker", "vassals = web ghost emperor", StringComparison.Ordinal);
        var vassals = MultiVassalFile.Read(text, "app.ini", out var problems)!;
        Assert.Equal(["web"], vassals.Select(v => v.Section));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("\"ghost\" but the file has no such section", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[uwsgi]\nhttp-socket = :8080\n", "app.ini")]
    [InlineData("[emperor]\nstats = :1717\n[uwsgi]\nmaster = true\n", "app.ini")]
    [InlineData("<uwsgi><emperor>x</emperor></uwsgi>", "app.xml")]
    [InlineData("<emperor><uwsgi id=\"a\"><vassals>a</vassals></uwsgi>", "app.xml")]
    [InlineData("[emperor]\nvassals = a\n[a]\n", "app.conf")]
    public void WithoutAVassalsList_ItIsAnOrdinaryVassalFile(string text, string name)
    {
        Assert.Null(MultiVassalFile.Read(text, name, out _));
        Assert.Equal(name != "app.conf", MultiVassalFile.MayBe(name));
    }

    [Fact]
    public void Yaml_AndJson_SayTheSame()
    {
        const string yaml = "emperor:\n  vassals: web worker\nweb:\n  http-socket: :8080\nworker:\n  master: true\n";
        Assert.Equal(["web", "worker"], MultiVassalFile.Read(yaml, "app.yml", out _)!.Select(v => v.Section));
        const string json = """{"emperor": {"vassals": "*"}, "web": {"http-socket": ":8080"}, "worker": {"master": true}}""";
        Assert.Equal(["web", "worker"], MultiVassalFile.Read(json, "app.json", out _)!.Select(v => v.Section));
        var edited = Vassals(json.Replace(":8080", ":8081", StringComparison.Ordinal), "app.json");
        Assert.NotEqual(Vassals(json, "app.json")["web"], edited["web"]);
        Assert.Equal(Vassals(json, "app.json")["worker"], edited["worker"]);
    }

    [Fact]
    public void Xml_ListsInAnEmperorElement_SectionsAreUwsgiElementsById()
    {
        const string xml = """
            <sites>
              <emperor><vassals>shop blog</vassals></emperor>
              <uwsgi id="shop"><http-socket>:8001</http-socket></uwsgi>
              <uwsgi id="blog"><http-socket>:8002</http-socket></uwsgi>
              <uwsgi id="spare"><http-socket>:8003</http-socket></uwsgi>
            </sites>
            """;
        Assert.Equal(["shop", "blog"], MultiVassalFile.Read(xml, "sites.xml", out _)!.Select(v => v.Section));
        var star = xml.Replace("shop blog", "*", StringComparison.Ordinal);
        Assert.Equal(["shop", "blog", "spare"], MultiVassalFile.Read(star, "sites.xml", out _)!.Select(v => v.Section));
        var edited = Vassals(xml.Replace(":8002", ":8012", StringComparison.Ordinal), "sites.xml");
        Assert.Equal(Vassals(xml, "sites.xml")["shop"], edited["shop"]);
        Assert.NotEqual(Vassals(xml, "sites.xml")["blog"], edited["blog"]);
        Assert.Null(MultiVassalFile.Read("<sites><emperor><vassals>a</vassals></emperor>", "sites.xml", out _));
    }
}
