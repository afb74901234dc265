using Emperor.Core.Config;
using Emperor.Core.Config.Options;

namespace Emperor.Core.Tests.Config;

public sealed class CommandLineParserTests
{
    private static string[] Parsed(params string[] args) =>
        [.. CommandLineParser.Parse(args, posixlyCorrect: false).Options.Select(o => $"{o.Name}={o.Value ?? "(null)"}")];

    [Fact]
    public void Parse_LongForms_ValueNextOrAfterEquals()
    {
        Assert.Equal(["socket=:1", "socket=:2", "master=(null)", "endif=x", "endfor=(null)"], Parsed("--socket", ":1", "--socket=:2", "--master", "--endif=x", "--endfor"));
    }

    [Fact]
    public void Parse_ShortOptions_ClusteredAndFirstTableName()
    {
        Assert.Equal(["master=(null)", "processes=4", "socket=:3031", "xmlconfig=a.xml"], Parsed("-Mp", "4", "-s:3031", "-x", "a.xml"));
    }

    [Fact]
    public void Parse_UniquePrefix_Accepted_AmbiguousRejected()
    {
        Assert.Equal(["processes=2"], Parsed("--processe", "2"));
        var result = CommandLineParser.Parse(["--pro", "2"], posixlyCorrect: false);
        Assert.Contains("ambiguous", Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NonOptions_PermutedToTheEndUnlessPosixlyCorrect()
    {
        var result = CommandLineParser.Parse(["a.ini", "--master", "--", "--b.ini"], posixlyCorrect: false);
        Assert.Equal(["a.ini", "--b.ini"], result.Files.Select(f => f.Name));
        Assert.Single(result.Options);
        var posix = CommandLineParser.Parse(["a.ini", "--master"], posixlyCorrect: true);
        Assert.Equal(["a.ini", "--master"], posix.Files.Select(f => f.Name));
    }

    [Fact]
    public void Parse_Errors_UnknownMissingArgumentAndUnwantedArgument()
    {
        var result = CommandLineParser.Parse(["--nope-xyz", "--master=1", "--socket"], posixlyCorrect: false);
        Assert.Equal(3, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d => Assert.Equal(ConfigSeverity.Error, d.Severity));
        Assert.Equal(new ConfigLocation("<command line>", 1, 3), result.Diagnostics[2].Location);
    }

    [Fact]
    public void Parse_ThousandsOfUnknownOptions_OnlyTheFirstSixteenGetASuggestion()
    {
        // A fuzzer's command line of 3,758 bad options once took over 10 s: an edit distance against every name each.
        var result = CommandLineParser.Parse([.. Enumerable.Repeat("--mastr", 100), "--" + new string('m', 65)], posixlyCorrect: false);
        Assert.Equal(101, result.Diagnostics.Count);
        Assert.Equal(16, result.Diagnostics.Count(d => d.Message.Contains("did you mean --master?", StringComparison.Ordinal)));
        Assert.DoesNotContain("did you mean", result.Diagnostics[^1].Message, StringComparison.Ordinal);
    }
}
