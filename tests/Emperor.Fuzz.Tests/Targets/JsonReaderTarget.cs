using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The JSON reader.</summary>
internal sealed class JsonReaderTarget : IFuzzTarget
{
    public string Name => "json";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("{\"uwsgi\": {\"socket\": \":1\", \"a\": [1, true, null, \"x\"], \"o\": {\"p\": 1.5}}}\n"),
        ConfigChecks.Utf8("// comment\n{\"uwsgi\": {\"s\": \"\\u00e9\\n\\ud800\", \"n\": -1e400, \"b\": false, \"e\": {}, \"l\": []}, \"other\": 1}"),
        ConfigChecks.Utf8("{\"uwsgi\": 3}"),
        ConfigChecks.Utf8("[{\"uwsgi\": {}}]"),
    ];

    public IReadOnlyList<string> Dictionary => ["[", "{\"a\":", "{", "[[", "]", "}", ",", ":", "\"", "\\u", "\\", "true", "null", "1e999", "-0", "/*", "*/", "//", "\"uwsgi\":"];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".json", ".js");

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        return ConfigChecks.Check(JsonConfigReader.Read(text, "fuzz.json"), "fuzz.json", text);
    }
}
