using Emperor.Core.Config;
using Emperor.Core.Config.Formats;

namespace Emperor.Core.Tests.Config;

public sealed class FormatReaderTests
{
    private static string[] Pairs(ConfigParseResult result) => [.. result.Entries.Select(e => $"{e.Key}={e.Value}")];

    [Fact]
    public void IniRead_CommentsBlankLinesAndTrimming_AsCoreIni()
    {
        var result = IniConfigReader.Read("; c\n# c\n\n[uwsgi]\n\t key \t=\t v  v \r\nbare\n a = b = c\n[other]\nz = 1\n", "a.ini");
        Assert.Equal(["key=v  v", "bare=", "a=b = c"], Pairs(result));
        Assert.Equal(new ConfigLocation("a.ini", 5, 3), result.Entries[0].Location);
    }

    [Fact]
    public void IniRead_MissingSection_WarningOnly()
    {
        var result = IniConfigReader.Read("[other]\na = 1\n", "a.ini");
        Assert.Empty(result.Entries);
        Assert.Equal(ConfigSeverity.Warning, Assert.Single(result.Diagnostics).Severity);
    }

    [Fact]
    public void IniRead_HeaderWithoutBracket_LastCharacterDroppedWithWarning()
    {
        var result = IniConfigReader.Read("[uwsgii\na = 1\n", "a.ini");
        Assert.Equal(["a=1"], Pairs(result));
        Assert.Contains(result.Diagnostics, d => d.Code == ConfigDiagnosticCode.IniSectionHeader);
    }

    [Fact]
    public void IniRead_NulCutsTheLine()
    {
        Assert.Equal(["a=1"], Pairs(IniConfigReader.Read("[uwsgi]\na = 1\0junk\n", "a.ini")));
    }

    [Fact]
    public void XmlRead_OptionsEmptyElementsCdataApp()
    {
        var result = XmlConfigReader.Read("<uwsgi><s>:1</s><m/><![CDATA[code]]><app mountpoint=\"/a\">x</app><c><!-- k -->v</c></uwsgi>", "a.xml");
        Assert.Equal(["s=:1", "m=1", "eval=code", "mount=/a=x", "app=", "c= k "], Pairs(result));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void XmlRead_IdSelection_SkipsOtherIds()
    {
        var result = XmlConfigReader.Read("<c><uwsgi id=\"a\"><x>1</x></uwsgi><uwsgi id=\"b\"><x>2</x><y id=\"a\">no</y><z id=\"b\">yes</z></uwsgi></c>", "a.xml", "b");
        Assert.Equal(["x=2", "z=yes"], Pairs(result));
    }

    [Fact]
    public void XmlRead_EntityExpansionAttack_RefusedWithoutExpanding()
    {
        const string Bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><uwsgi><a>&lol3;</a></uwsgi>";
        var result = XmlConfigReader.Read(Bomb, "bomb.xml");
        Assert.Empty(result.Entries);
        var error = Assert.Single(result.Diagnostics);
        Assert.Contains("DOCTYPE", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Location.Line);
    }

    [Fact]
    public void XmlRead_Malformed_ErrorWithLineNoOptions()
    {
        var result = XmlConfigReader.Read("<uwsgi>\n<a>1</a>\n<b>2</c>\n</uwsgi>", "a.xml");
        Assert.Empty(result.Entries);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(ConfigDiagnosticCode.XmlSyntax, error.Code);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void XmlRead_DeeplyNested_ErrorNotStackOverflow()
    {
        var deep = "<uwsgi>" + string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000)) + "</uwsgi>";
        Assert.Equal(ConfigDiagnosticCode.XmlTooDeep, Assert.Single(XmlConfigReader.Read(deep, "a.xml").Diagnostics).Code);
    }

    [Fact]
    public void XmlRead_ElementAsValue_Error()
    {
        Assert.Equal(ConfigDiagnosticCode.XmlElementValue, Assert.Single(XmlConfigReader.Read("<uwsgi><b><c>1</c></b></uwsgi>", "a.xml").Diagnostics).Code);
    }

    [Fact]
    public void JsonRead_TypesAsYajl()
    {
        var result = JsonConfigReader.Read("{\"uwsgi\": {\"s\": \"x\", \"t\": true, \"f\": false, \"n\": null, \"i\": 4, \"d\": 1.50, \"a\": [\"p\", 1, {\"o\": 1}, [2]], \"o\": {\"z\": 1}}}", "a.json");
        Assert.Equal(["s=x", "t=1", "f=0", "n=0", "i=4", "d=1.50", "a=p", "a=1"], Pairs(result));
    }

    [Fact]
    public void JsonRead_FirstSectionOnly_CommentsAllowed()
    {
        Assert.Equal(["a=1"], Pairs(JsonConfigReader.Read("// c\n{\"uwsgi\": {\"a\": 1}, /* x */ \"uwsgi\": {\"b\": 2}}", "a.json")));
    }

    [Fact]
    public void JsonRead_Malformed_ErrorWithLine()
    {
        var result = JsonConfigReader.Read("{\"uwsgi\": {\n\"a\": 1,\n}}", "a.json");
        Assert.Empty(result.Entries);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(ConfigDiagnosticCode.JsonSyntax, error.Code);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void JsonRead_NoSection_Error()
    {
        Assert.Equal(ConfigDiagnosticCode.JsonNoSection, Assert.Single(JsonConfigReader.Read("{\"x\": {}}", "a.json").Diagnostics).Code);
    }

    [Fact]
    public void JsonRead_DeeplyNested_Error()
    {
        var deep = "{\"uwsgi\": {\"a\": " + new string('[', 10_000) + new string(']', 10_000) + "}}";
        Assert.Equal(ConfigDiagnosticCode.JsonTooDeep, Assert.Single(JsonConfigReader.Read(deep, "a.json").Diagnostics).Code);
    }

    [Fact]
    public void YamlRead_MappingSequencesAndNesting_AsLibyamlDriven()
    {
        var result = YamlConfigReader.Read("other:\n  x: 1\nuwsgi:\n  a: 1\n  env:\n    - A=1\n    - B=2\n  flow: [p, \"q r\"]\n  g:\n    inner: 2\n  c: 'it''s' # c\n  empty:\nz:\n  no: 1\n", "a.yaml");
        Assert.Equal(["a=1", "env=A=1", "env=B=2", "flow=p", "flow=q r", "inner=2", "c=it's"], Pairs(result));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void YamlRead_BlockScalars_Chomping()
    {
        var result = YamlConfigReader.Read("uwsgi:\n  l: |\n    a\n     b\n  f: >\n    c\n    d\n  s: |-\n    e\n  k: |+\n    g\n\n  x: y\n", "a.yaml");
        Assert.Equal(["l=a\n b\n", "f=c d\n", "s=e", "k=g\n\n", "x=y"], Pairs(result));
    }

    [Fact]
    public void YamlRead_Anchor_StopsWithWarning()
    {
        var result = YamlConfigReader.Read("uwsgi:\n  a: 1\n  b: &x 2\n  c: 3\n", "a.yaml");
        Assert.Equal(["a=1"], Pairs(result));
        Assert.Equal(ConfigSeverity.Warning, Assert.Single(result.Diagnostics).Severity);
    }

    [Fact]
    public void YamlRead_Malformed_ErrorWithPosition()
    {
        var result = YamlConfigReader.Read("uwsgi:\n  a: \"unterminated\n", "a.yaml");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(ConfigDiagnosticCode.YamlSyntax, error.Code);
        Assert.Equal(new ConfigLocation("a.yaml", 2, 6), error.Location);
    }

    [Fact]
    public void YamlRead_DeeplyNested_Error()
    {
        var deep = "uwsgi:\n  a: " + new string('[', 10_000) + new string(']', 10_000) + "\n";
        Assert.Equal(ConfigDiagnosticCode.YamlTooDeep, Assert.Single(YamlConfigReader.Read(deep, "a.yaml").Diagnostics).Code);
    }

    [Fact]
    public void ShowConfigFormatter_Format_ExactBytes()
    {
        var text = ShowConfigFormatter.Format([new ConfigOption("ini", "a.ini"), new ConfigOption("master", null), new ConfigOption("e", string.Empty)]);
        Assert.Equal("\n;uWSGI instance configuration\n[uwsgi]\nini = a.ini\nmaster = true\ne = \n;end of configuration\n\n", text);
    }

    [Fact]
    public void ConfigDiagnostic_ToString_CompilerShape()
    {
        var diagnostic = new ConfigDiagnostic(new ConfigLocation("a.ini", 3, 7), ConfigSeverity.Error, ConfigDiagnosticCode.InvalidSet, "boom");
        Assert.Equal("a.ini:3:7: error: boom", diagnostic.ToString());
    }
}
