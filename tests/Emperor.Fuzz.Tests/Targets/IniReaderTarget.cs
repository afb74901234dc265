using System.Text;
using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The INI reader. Round trip: writing the entries back as <c>key = value</c> lines under <c>[uwsgi]</c> (what
/// --show-config prints) and reading that again gives the same keys and values.
/// </summary>
internal sealed class IniReaderTarget : IFuzzTarget
{
    public string Name => "ini";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("[uwsgi]\nsocket = :3031\nmaster = true\n; comment\n# comment\n[other]\nx = 1\n[uwsgi]\nprocesses=4\n"),
        ConfigChecks.Utf8("\uFEFF[uwsgi]\r\nkey\r\n = value\r\n[uwsgi\nlast\0cut\n[]\n["),
        ConfigChecks.Utf8("[uwsgi]\n" + string.Concat(Enumerable.Repeat("a = %(a)%(a)\n", 50))),
    ];

    public IReadOnlyList<string> Dictionary => ["[uwsgi]\n", "[", "]", "=", " = ", "\n", "\r\n", ";", "#", "\0", "\t", "[other]\n", "%(", ")"];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".ini", ".skel");

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        var result = IniConfigReader.Read(text, "fuzz.ini");
        var rendering = ConfigChecks.Check(result, "fuzz.ini", text);
        var again = new StringBuilder("[uwsgi]\n");
        foreach (var entry in result.Entries)
        {
            again.Append(entry.Key).Append(" = ").Append(entry.Value).Append('\n');
        }

        var reread = IniConfigReader.Read(again.ToString(), "again.ini");
        Invariant.That(
            reread.Entries.Select(e => (e.Key, e.Value)).SequenceEqual(result.Entries.Select(e => (e.Key, e.Value))),
            "round trip: re-reading the entries as INI changed them");
        return rendering;
    }
}
