using Emperor.Core.Config.Options;

namespace Emperor.Core.Tests.Emperor;

/// <summary>
/// The one option table and what is generated from it: --help (golden), help OPTION, the man page (the committed
/// docs/emperor.1), shell completion; and the table's agreement with the config language's uWSGI table.
/// </summary>
public sealed class OptionCatalogTests
{
    public static TheoryData<string> Names() => [.. EmperorOptionCatalog.All.Select(s => s.Name)];

    [Fact]
    public void Help_IsTheGoldenText()
    {
        GoldenFile.AssertEqual("tests/Emperor.Core.Tests/Emperor/Golden/help.txt", OptionHelpWriter.General());
        GoldenFile.AssertEqual("tests/Emperor.Core.Tests/Emperor/Golden/help-vassal.txt", OptionHelpWriter.Vassal());
    }

    [Fact]
    public void ManPage_IsTheCommittedDocsEmperor1()
    {
        GoldenFile.AssertEqual("docs/emperor.1", ManPageWriter.Write());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryOption_AppearsInHelp_WithItsDefault_AndInTheManPageAndCompletion(string name)
    {
        var spec = EmperorOptionCatalog.Find(name)!;
        var help = spec.Group == EmperorOptionGroup.Vassal ? OptionHelpWriter.Vassal() : OptionHelpWriter.General();
        var line = help.Split('\n').SingleOrDefault(l => l.StartsWith("  " + OptionHelpWriter.Synopsis(spec) + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"--{name} has no line of its own in the help");
        Assert.Contains(spec.Summary, line, StringComparison.Ordinal);
        if (spec.Default is { } d)
        {
            Assert.Contains($"[default: {d}]", line, StringComparison.Ordinal);
        }

        Assert.Equal(!spec.Uwsgi, line.EndsWith(" (ours)", StringComparison.Ordinal));
        Assert.Contains("\\fB\\-\\-" + name.Replace("-", "\\-", StringComparison.Ordinal) + "\\fR", ManPageWriter.Write(), StringComparison.Ordinal);
        Assert.Contains("--" + name + " ", CompletionScriptWriter.Write("bash")!, StringComparison.Ordinal);
        Assert.Contains("--" + name + "[", CompletionScriptWriter.Write("zsh")!, StringComparison.Ordinal);
        Assert.StartsWith(OptionHelpWriter.Synopsis(spec) + "\n", OptionHelpWriter.Option(name), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryOption_IsInTheUwsgiTable_WithTheSameArgumentShape(string name)
    {
        var spec = EmperorOptionCatalog.Find(name)!;
        foreach (var n in spec.Aliases.Prepend(spec.Name))
        {
            var row = UwsgiOptionTable.Find(n);
            Assert.True(row is not null, $"--{n} is not in the config language's option table, so the command line would refuse it");
            if (spec.Kind == OptionValueKind.Flag)
            {
                Assert.Equal(UwsgiOptionArgument.None, row.Argument);
            }
            else
            {
                Assert.NotEqual(UwsgiOptionArgument.None, row.Argument);
            }
        }
    }

    [Fact]
    public void EveryOptionTheSettingsReaderActsOn_IsInTheCatalog()
    {
        // The reader's cases, by name: an Emperor option missing from the table would be undocumented and unchecked.
        string[] read =
        [
            "emperor", "emperor-freq", "binary-path", "emperor-wrapper", "emperor-extra-extension", "emperor-extra-ext", "vassals-inherit",
            "vassals-include", "vassals-inherit-before", "vassals-include-before", "vassal-set", "vassals-set", "emperor-nofollow",
            "emperor-tyrant", "emperor-tyrant-nofollow", "emperor-curse-tolerance", "reload-mercy", "emperor-graceful-shutdown",
            "emperor-throttle", "emperor-max-throttle", "emperor-no-blacklist", "emperor-required-heartbeat", "emperor-loyal-after",
            "emperor-pidfile", "emperor-stats", "emperor-stats-server", "stats-http", "emperor-command-socket", "emperor-metrics",
            "emperor-pg-host", "emperor-id", "emperor-log-dir", "emperor-log-maxsize", "emperor-log-backups", "emperor-log-format",
            "emperor-dashboard", "emperor-dashboard-auth",
        ];
        var source = File.ReadAllText(GoldenFile.RepositoryPath("src/Emperor.Core/Emperor/EmperorSettingsReader.cs"));
        foreach (var name in read)
        {
            Assert.Contains($"\"{name}\"", source, StringComparison.Ordinal);
            Assert.NotNull(EmperorOptionCatalog.Find(name));
        }
    }

    [Fact]
    public void HelpOption_GivesTheLongText_AndNothingForAnUnknownName()
    {
        var text = OptionHelpWriter.Option("--emperor-stats-server");
        Assert.NotNull(text);
        Assert.StartsWith("--emperor-stats ADDR\n", text, StringComparison.Ordinal);
        Assert.Contains("default: none", text, StringComparison.Ordinal);
        Assert.Contains("uWSGI:   same name and meaning", text, StringComparison.Ordinal);
        Assert.Contains("no (ours)", OptionHelpWriter.Option("emperor-loyal-after"), StringComparison.Ordinal);
        Assert.Null(OptionHelpWriter.Option("emperor-nonsense"));
    }

    [Fact]
    public void Completion_IsOnlyForKnownShells_AndBashCompletesPathsAsFiles()
    {
        Assert.Null(CompletionScriptWriter.Write("fish"));
        var bash = CompletionScriptWriter.Write("bash")!;
        var fileCase = bash.Split('\n').Single(l => l.Contains("compgen -f", StringComparison.Ordinal));
        Assert.Contains("--binary-path", fileCase, StringComparison.Ordinal);
        Assert.DoesNotContain("--emperor-freq", fileCase, StringComparison.Ordinal);
        Assert.StartsWith("#compdef emperor\n", CompletionScriptWriter.Write("zsh"), StringComparison.Ordinal);
    }
}
