using Emperor.Core.Config.Options;
using Emperor.Core.Emperor;

namespace Emperor.Core.Tests.Emperor;

/// <summary>
/// Every value is checked before anything starts: the walk over every address- and number-taking Emperor option
/// with bad values (one error each, naming option and value), the address forms, and typo suggestions.
/// </summary>
public sealed class OptionValueTests
{
    private static readonly string[] s_badAddresses =
    [
        "garbage:port", "127.0.0.1:99999", "127.0.0.1:0", "127.0.0.1:-1", ":", "host.example:80", "::1:1717", "[::1]", "[::1]:x",
        "[127.0.0.1]:80", "999.1.1.1:80", "@", "", "/" + new string('a', 200),
    ];

    private static readonly string[] s_badNumbers = ["", "soon", "-3", "1.5", "3s", " 3", "0x10", "99999999999999999999", "4294967295000"];

    public static TheoryData<string, string> BadValues()
    {
        var data = new TheoryData<string, string>();
        foreach (var spec in EmperorOptionCatalog.All.Where(s => s.Group != EmperorOptionGroup.Vassal))
        {
            var bad = spec.Kind switch
            {
                OptionValueKind.Address => s_badAddresses,
                OptionValueKind.UnixSocket => ["127.0.0.1:1717", ":1717", "@", "", "/" + new string('a', 200)],
                OptionValueKind.Seconds => [.. s_badNumbers, "0"],
                OptionValueKind.SecondsOrZero or OptionValueKind.Milliseconds or OptionValueKind.Number => s_badNumbers,
                OptionValueKind.Name => ["", "a b", ".hidden", "a/b", new string('x', 65)],
                OptionValueKind.Bytes => ["", "soon", "-3", "1.5", "10M", " 3", "0x10", "0", "99999999999999999999"],
                OptionValueKind.LogFormat => ["", "JSON", "xml", "text "],
                _ => [],
            };
            foreach (var name in spec.Aliases.Prepend(spec.Name))
            {
                foreach (var value in bad)
                {
                    data.Add(name, value);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void BadValue_IsOneErrorNamingTheOptionAndTheValue(string option, string value)
    {
        var (_, errors) = EmperorSettingsReader.Read([new("emperor", "/srv/vassals"), new(option, value)], _ => true);
        var error = Assert.Single(errors);
        Assert.StartsWith($"option --{option} \"{value}\": ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.True(error.Length > $"option --{option} \"{value}\": ".Length + 10, $"the reason is too short to help: {error}");
    }

    [Fact]
    public void TheWalk_CoversEveryAddressAndNumberOption()
    {
        var walked = BadValues().Select(row => (string)row.Data.Item1).ToHashSet();
        foreach (var spec in EmperorOptionCatalog.All.Where(s => s.Group != EmperorOptionGroup.Vassal && s.Kind is not (OptionValueKind.Flag or OptionValueKind.Path or OptionValueKind.Text or OptionValueKind.Source)))
        {
            Assert.Contains(spec.Name, walked);
        }

        Assert.Contains("emperor-stats-server", walked);
        Assert.Contains("emperor-metrics", walked);
        Assert.Contains("emperor-command-socket", walked);
    }

    [Theory]
    [InlineData("emperor-stats", "127.0.0.1:1717")]
    [InlineData("emperor-stats", ":1717")]
    [InlineData("emperor-stats", "*:1717")]
    [InlineData("emperor-stats", "localhost:1717")]
    [InlineData("emperor-stats", "[::1]:1717")]
    [InlineData("emperor-stats", "[::]:65535")]
    [InlineData("emperor-stats", "/run/emperor/stats.sock")]
    [InlineData("emperor-stats", "stats.sock")]
    [InlineData("emperor-stats", "@emperor-stats")]
    [InlineData("emperor-command-socket", "none")]
    [InlineData("emperor-command-socket", "@ctl")]
    [InlineData("emperor-freq", "1")]
    [InlineData("emperor-freq", "4294967")]
    [InlineData("emperor-loyal-after", "0")]
    [InlineData("emperor-throttle", "0")]
    [InlineData("emperor-id", "web-1.prod_a")]
    [InlineData("emperor-log-maxsize", "1")]
    [InlineData("emperor-log-maxsize", "107374182400")]
    [InlineData("emperor-log-backups", "0")]
    [InlineData("emperor-log-format", "json")]
    [InlineData("emperor-log-format", "text")]
    public void GoodValue_IsAccepted(string option, string value)
    {
        var (_, errors) = EmperorSettingsReader.Read([new(option, value)], _ => true);
        Assert.Empty(errors);
    }

    [Fact]
    public void UnixSocketPath_InAMissingDirectory_IsRefusedBeforeStart()
    {
        var (_, errors) = EmperorSettingsReader.Read([new("emperor-stats", "/nonexistent/dir/stats.sock")], d => d != "/nonexistent/dir");
        Assert.Equal("option --emperor-stats \"/nonexistent/dir/stats.sock\": the directory /nonexistent/dir does not exist (a UNIX socket path needs an existing directory)", Assert.Single(errors));
    }

    [Fact]
    public void Address_FormsParseToWhatIsBound()
    {
        Assert.True(ServiceAddress.TryParse("[::1]:1717", out var v6, out _));
        Assert.Equal((ServiceAddressKind.Tcp, "::1", 1717), (v6.Kind, v6.Ip!.ToString(), v6.Port));
        Assert.True(ServiceAddress.TryParse(":80", out var any, out _));
        Assert.Equal(System.Net.IPAddress.Any, any.Ip);
        Assert.Equal(System.Net.IPAddress.Loopback, any.ConnectIp);
        Assert.True(ServiceAddress.TryParse("@name", out var abs, out _));
        Assert.Equal((ServiceAddressKind.UnixAbstract, "name"), (abs.Kind, abs.Path));
        Assert.True(ServiceAddress.TryParse("rel/stats.sock", out var unix, out _));
        Assert.Equal((ServiceAddressKind.UnixPath, "rel/stats.sock"), (unix.Kind, unix.Path));
    }

    [Theory]
    [InlineData("--emperor-stast", "emperor-stats")]
    [InlineData("--emperro-freq", "emperor-freq")]
    [InlineData("--emperor-tyrnat", "emperor-tyrant")]
    [InlineData("--binarypath", "binary-path")]
    [InlineData("--emperor-comand-socket=/x", "emperor-command-socket")]
    [InlineData("--reload-mery", "reload-mercy")]
    [InlineData("--harakri", "harakiri")]
    public void Typo_SuggestsTheNearestOption(string typed, string expected)
    {
        Assert.Equal(expected, OptionSuggester.Suggest(typed));
    }

    [Theory]
    [InlineData("--zzzzzzzzzzzz")]
    [InlineData("--x")]
    public void Gibberish_SuggestsNothing(string typed)
    {
        Assert.Null(OptionSuggester.Suggest(typed));
    }

    [Fact]
    public void UnknownFlag_OnTheCommandLine_IsOneErrorWithTheSuggestion()
    {
        var parsed = CommandLineParser.Parse(["--emperor", "/srv", "--emperor-stast", "127.0.0.1:1717"], posixlyCorrect: false);
        var diagnostic = Assert.Single(parsed.Diagnostics);
        Assert.Contains("unrecognized option '--emperor-stast'; did you mean --emperor-stats?", diagnostic.Message, StringComparison.Ordinal);
        Assert.Empty(parsed.Files);
    }
}
