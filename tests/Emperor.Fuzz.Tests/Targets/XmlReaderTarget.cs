using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The XML reader, with and without an id to select.</summary>
internal sealed class XmlReaderTarget : IFuzzTarget
{
    public string Name => "xml";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("<uwsgi id=\"a\">\n<socket>:1</socket><master/><![CDATA[x]]><app mountpoint=\"/\">a</app></uwsgi>\n"),
        ConfigChecks.Utf8("<?xml version=\"1.0\"?><!-- c --><root><uwsgi><env>A=1</env><env>B=&amp;&lt;&#65;&#x42;</env></uwsgi></root>"),
        ConfigChecks.Utf8("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><uwsgi><a>&a;&a;</a></uwsgi>"),
        ConfigChecks.Utf8("<uwsgi><a><b>nested</b></a><c x='1' y=\"2\"/></uwsgi>"),
    ];

    public IReadOnlyList<string> Dictionary => ["<a>", "<uwsgi>", "<![CDATA[", "<!--", "</a>", "</uwsgi>", "/>", "<", ">", "&amp;", "&#x", "&#", ";", "\"", "'", "=", "<?xml", "?>", "<!DOCTYPE", "]]>", "-->", " id=\"a\"", "&lt;"];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".xml");

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        var id = input.Length > 0 && input[^1] % 3 == 0 ? "a" : null;
        return ConfigChecks.Check(XmlConfigReader.Read(text, "fuzz.xml", id), "fuzz.xml", text);
    }
}
