using Emperor.Core.Emperor;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Core.Tests.Emperor;

public sealed class EmperorSettingsTests
{
    private static List<KeyValuePair<string, string>> Opts(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToList();

    [Fact]
    public void Read_Defaults_AreUwsgis()
    {
        var (s, errors) = EmperorSettingsReader.Read(Opts("emperor", "/etc/vassals"));
        Assert.Empty(errors);
        Assert.Equal(["/etc/vassals"], s.Sources);
        Assert.Equal(TimeSpan.FromSeconds(3), s.Frequency);
        Assert.Equal(TimeSpan.FromSeconds(30), s.CurseTolerance);
        Assert.Equal(TimeSpan.FromSeconds(1), s.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(180), s.MaxThrottle);
        Assert.Equal(TimeSpan.FromSeconds(30), s.RequiredHeartbeat);
    }

    [Fact]
    public void Read_RepeatedSourcesAccumulate_ScalarsLastWins_BooleansAsUwsgi()
    {
        var (s, errors) = EmperorSettingsReader.Read(Opts(
            "emperor", "a", "emperor", "glob://b/*.ini", "emperor-freq", "5", "emperor-freq", "1",
            "emperor-tyrant", "true", "emperor-nofollow", "off", "emperor-throttle", "0"));
        Assert.Empty(errors);
        Assert.Equal(["a", "glob://b/*.ini"], s.Sources);
        Assert.Equal(TimeSpan.FromSeconds(1), s.Frequency);
        Assert.True(s.Tyrant);
        Assert.False(s.NoFollow);
        Assert.Equal(TimeSpan.Zero, s.Throttle);
    }

    [Fact]
    public void Read_BadNumbers_AreAllReported()
    {
        var (_, errors) = EmperorSettingsReader.Read(Opts("emperor-freq", "soon", "emperor-throttle", "-3", "reload-mercy", "0"));
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("--emperor-freq", StringComparison.Ordinal) && e.Contains("\"soon\"", StringComparison.Ordinal));
    }

    [Fact]
    public void VassalCommandLine_OrderIsUwsgis()
    {
        var settings = new EmperorSettings
        {
            VassalsInheritBefore = ["ib.ini"],
            VassalsIncludeBefore = ["cb.ini"],
            VassalSet = ["a=1"],
            VassalsInherit = ["i.ini"],
            VassalsInclude = ["c.ini"],
        };
        var argv = VassalCommandLine.Build(settings, "/usr/bin/uwsgi", "--ini", "app.ini");
        Assert.Equal(
            ["/usr/bin/uwsgi", "--inherit", "ib.ini", "--include", "cb.ini", "--set", "a=1", "--ini", "app.ini", "--inherit", "i.ini", "--include", "c.ini"],
            argv);
    }

    [Fact]
    public void VassalEnvironment_RewritesVassalVariables_ExpandsPathMagic_DropsEmperorOnlyOnes()
    {
        var env = VassalEnvironment.Build(
            [
                new("PATH", "/bin"),
                new("UWSGI_RELOADS", "3"),
                new("NOTIFY_SOCKET", "/run/systemd/notify"),
                new("UWSGI_VASSAL_SOCKET", "/tmp/%n.sock"),
                new("UWSGI_VASSAL_ENV", "FOO_MAGIC=%n"),
                new("UWSGI_ORIGINAL_PROC_NAME", "uwsgi"),
            ],
            "/etc/vassals/m1.ini");
        Assert.Equal(
            [
                new("PATH", "/bin"),
                new("UWSGI_ORIGINAL_PROC_NAME", "uwsgi"),
                new("UWSGI_SOCKET", "/tmp/m1.sock"),
                new("UWSGI_ENV", "FOO_MAGIC=m1"),
            ],
            env);
    }

    [Theory]
    [InlineData("%p|%s|%d|%e|%n|%c|%%|%q", "/etc/vassals/m1.ini|m1.ini|/etc/vassals/|ini|m1|vassals|%|%q")]
    [InlineData("plain", "plain")]
    public void ExpandPathMagic_MatchesUwsgiMeanings(string value, string expected) =>
        Assert.Equal(expected, VassalEnvironment.ExpandPathMagic(value, "/etc/vassals/m1.ini"));

    [Theory]
    [InlineData("a.ini", "--ini")]
    [InlineData("a.xml", "--xml")]
    [InlineData("a.yml", "--yaml")]
    [InlineData("a.yaml", "--yaml")]
    [InlineData("a.js", "--json")]
    [InlineData("a.json", "--json")]
    [InlineData(".ini", "--ini")]
    [InlineData("a.conf", "--config")]
    [InlineData("a.INI", null)]
    [InlineData("a.skel", null)]
    public void VassalFormat_MatchesSuffixesCaseSensitively(string name, string? flag) =>
        Assert.Equal(flag, VassalFormat.FlagFor(name, [".conf"]));

    [Fact]
    public void VassalFormat_RefusesNamesOf255BytesOrMore()
    {
        Assert.NotNull(VassalFormat.FlagFor(new string('a', 250) + ".ini", []));
        Assert.Null(VassalFormat.FlagFor(new string('a', 251) + ".ini", []));
    }

    [Fact]
    public void SnapshotDiff_ReportsEveryKind_AtFullResolution()
    {
        var before = new Dictionary<string, SourceEntry>
        {
            ["same.ini"] = new("same.ini", 1_000_000_001, 1000, 1000),
            ["touched.ini"] = new("touched.ini", 1_000_000_001, 1000, 1000),
            ["chowned.ini"] = new("chowned.ini", 5, 1000, 1000),
            ["gone.ini"] = new("gone.ini", 5, 1000, 1000),
        };
        var after = new Dictionary<string, SourceEntry>
        {
            ["same.ini"] = new("same.ini", 1_000_000_001, 1000, 1000),
            ["touched.ini"] = new("touched.ini", 1_000_000_002, 1000, 1000),
            ["chowned.ini"] = new("chowned.ini", 5, 1001, 1000),
            ["new.ini"] = new("new.ini", 7, 1000, 1000),
        };
        var changes = SnapshotDiff.Compute(before, after).Select(c => (c.Kind, c.Entry.Name)).Order().ToList();
        Assert.Equal(
            [
                (SourceChangeKind.Added, "new.ini"),
                (SourceChangeKind.Changed, "touched.ini"),
                (SourceChangeKind.OwnerChanged, "chowned.ini"),
                (SourceChangeKind.Removed, "gone.ini"),
            ],
            changes);
    }
}
