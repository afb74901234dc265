using Emperor.Core.Config;
using Emperor.Core.Config.Formats;
using Emperor.Core.Config.Options;
using Emperor.Core.Tests.Config;

namespace Emperor.Fuzz.Tests.Regressions;

/// <summary>
/// Found by fuzzing: diagnostics quoted user text with its CR/LF, so one bad input printed as several lines
/// (Corpus/*/crash-cr-*, crash-newline-*). Every message is now one line, the characters shown escaped.
/// </summary>
public sealed class ConfigMessageOneLineTests
{
    [Fact]
    public void IniSectionHeader_WithCarriageReturn_IsOneLine()
    {
        var result = IniConfigReader.Read("[\r\u00e9", "a.ini");

        var header = Assert.Single(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.IniSectionHeader);
        AssertOneLine(header.Message);
        Assert.Contains("'[\\r\u00e9'", header.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonSyntax_QuotingATokenWithNewline_IsOneLine()
    {
        var result = JsonConfigReader.Read("n\n", "a.json");

        var error = Assert.Single(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.JsonSyntax);
        AssertOneLine(error.Message);
    }

    [Fact]
    public void XmlSyntax_NamingACarriageReturn_IsOneLine()
    {
        var result = XmlConfigReader.Read("<i><\rs", "a.xml");

        var error = Assert.Single(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.XmlSyntax);
        AssertOneLine(error.Message);
    }

    [Fact]
    public void UnrecognizedOption_WithCarriageReturn_IsOneLineAndShowsIt()
    {
        var result = CommandLineParser.Parse(["-\r"], posixlyCorrect: false);

        var error = Assert.Single(result.Diagnostics);
        AssertOneLine(error.Message);
        Assert.Contains("'-\\r'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_JsonFileWithBadToken_ReportsOneLine()
    {
        var host = new FakeConfigHost().File("app.json", "f\n");

        var result = ConfigLoader.Load(["app.json"], host);

        Assert.True(result.HasErrors);
        Assert.All(result.Diagnostics, d => AssertOneLine(d.Message));
    }

    [Fact]
    public void Diagnostic_EscapesControlCharactersButKeepsTabs()
    {
        var diagnostic = new ConfigDiagnostic(new ConfigLocation("a.ini", 1, 1), ConfigSeverity.Error, ConfigDiagnosticCode.CommandLine, "a\nb\rc\u0001d\te\u2028f\u0085");

        Assert.Equal("a\\nb\\rc\\x01d\te\\u2028f\\x85", diagnostic.Message);
        Assert.Equal("x\\ny", (diagnostic with { Message = "x\ny" }).Message);
    }

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }
}
