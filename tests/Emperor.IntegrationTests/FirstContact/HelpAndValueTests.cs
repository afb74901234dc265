using System.Text.RegularExpressions;
using Emperor.Testing;

namespace Emperor.IntegrationTests.FirstContact;

/// <summary>
/// What a newcomer meets before any Emperor runs: --help (the golden text the option table generates), help
/// OPTION, completion, the man page, and a bad value or a typo answered with one line and exit status 1, never a
/// stack trace. No Emperor starts in these tests (a bad value stops it before anything starts).
/// </summary>
public sealed partial class HelpAndValueTests
{
    [Fact(Timeout = 60_000)]
    public async Task Help_PrintsTheGoldenText_ToStdout()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        var help = await Cli.RunAsync(guard, ["--help"], cancel);
        Assert.Equal(0, help.ExitCode);
        Assert.Equal(string.Empty, help.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests/Emperor.Core.Tests/Emperor/Golden/help.txt")), help.Stdout);

        var vassal = await Cli.RunAsync(guard, ["--ini", "--help"], cancel);
        Assert.Equal(0, vassal.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests/Emperor.Core.Tests/Emperor/Golden/help-vassal.txt")), vassal.Stdout);

        var man = await Cli.RunAsync(guard, ["help", "man"], cancel);
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs/emperor.1")), man.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task HelpOption_GivesTheLongText_AndAnUnknownOneASuggestion()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        var known = await Cli.RunAsync(guard, ["help", "emperor-throttle"], cancel);
        Assert.Equal(0, known.ExitCode);
        Assert.StartsWith("--emperor-throttle MS\n", known.Stdout, StringComparison.Ordinal);
        Assert.Contains("default: 1000", known.Stdout, StringComparison.Ordinal);

        var unknown = await Cli.RunAsync(guard, ["help", "emperor-throtle"], cancel);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal(["emperor: no option --emperor-throtle; did you mean --emperor-throttle?"], unknown.StderrLines);
    }

    [Fact(Timeout = 60_000)]
    public async Task Completion_ScriptsAreValidShell()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        using var dir = new TempDir("completion");
        var bash = await Cli.RunAsync(guard, ["completion", "bash"], cancel);
        Assert.Equal(0, bash.ExitCode);
        Assert.Contains("--emperor-stats", bash.Stdout, StringComparison.Ordinal);
        var script = dir.WriteFile("emperor.bash", bash.Stdout);
        var check = await ShellAsync(guard, "bash", $"set -e; . {script}; complete -p emperor", cancel);
        Assert.Equal("complete -o default -F _emperor emperor\n", check);

        var wrong = await Cli.RunAsync(guard, ["completion", "fish"], cancel);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Single(wrong.StderrLines);
    }

    /// <summary>The options whose help line shows an address or a number, read from the help itself so the walk cannot miss a new one.</summary>
    public static TheoryData<string, string> BadValues()
    {
        var help = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests/Emperor.Core.Tests/Emperor/Golden/help.txt"));
        var data = new TheoryData<string, string>();
        foreach (Match m in HelpLine().Matches(help))
        {
            var (option, metavar) = (m.Groups[1].Value, m.Groups[2].Value);
            string[] bad = metavar switch
            {
                "ADDR" => ["garbage:port", "127.0.0.1:99999", "[::1]", "::1:80", "/nonexistent-dir/x.sock"],
                "PATH|none" => ["127.0.0.1:1717", "/nonexistent-dir/x.sock", "@"],
                "SECONDS" or "MS" => ["soon", "-1", "99999999999999999999"],
                "NAME" when option == "emperor-id" => ["a b", ".x"],
                _ => [],
            };
            foreach (var value in bad)
            {
                data.Add(option, value);
            }
        }

        return data;
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadValues))]
    public async Task BadValue_IsOneLineNamingTheOptionAndValue_ExitOne_BeforeAnythingStarts(string option, string value)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        using var dir = new TempDir("bad-value");
        var run = await Cli.RunAsync(guard, ["--emperor", dir.Path, "--" + option, value], cancel);
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"emperor: option --{option} \"{value}\": ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("starting Emperor", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public void TheWalk_FindsTheAddressAndNumberOptions()
    {
        var options = BadValues().Select(row => (string)row.Data.Item1).ToHashSet();
        foreach (var expected in new[] { "emperor-stats", "emperor-metrics", "emperor-command-socket", "emperor-freq", "emperor-throttle", "reload-mercy", "emperor-id" })
        {
            Assert.Contains(expected, options);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--emperor-stast", "127.0.0.1:1717", "emperor-stats")]
    [InlineData("--emperor-tyrnat", null, "emperor-tyrant")]
    [InlineData("--binary-pth", "/bin/true", "binary-path")]
    public async Task Typo_IsOneLineSuggestingTheNearestOption(string typed, string? value, string suggested)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var guard = new LeakGuard();
        using var dir = new TempDir("typo");
        var run = await Cli.RunAsync(guard, value is null ? ["--emperor", dir.Path, typed] : ["--emperor", dir.Path, typed, value], cancel);
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains($"unrecognized option '{typed}'; did you mean --{suggested}?", line, StringComparison.Ordinal);
    }

    private static async Task<string> ShellAsync(LeakGuard guard, string shell, string script, CancellationToken cancel)
    {
        var start = new System.Diagnostics.ProcessStartInfo(shell, ["-c", script]) { RedirectStandardOutput = true, UseShellExecute = false };
        guard.Tag(start);
        using var process = ChildLauncher.Start(start);
        var output = await process.StandardOutput.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    [GeneratedRegex(@"^  --([a-z-]+) (ADDR|PATH\|none|SECONDS|MS|NAME) ", RegexOptions.Multiline)]
    private static partial Regex HelpLine();
}
