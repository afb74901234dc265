using System.Text;
using Emperor.Core.Config;
using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The contract every config reader shares, and a rendering of its result.</summary>
internal static class ConfigChecks
{
    /// <summary>UTF-8 as the loader decodes it for the readers (invalid sequences become U+FFFD).</summary>
    public static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static bool IsConfig(string path, params string[] extensions) =>
        extensions.Any(e => path.EndsWith(e, StringComparison.Ordinal));

    /// <summary>Diagnostics are single lines at real places of the source; entries point into the source.</summary>
    public static string Check(ConfigParseResult result, string source, string text)
    {
        var lines = text.Count(c => c == '\n') + 1;
        var sb = new StringBuilder();
        foreach (var entry in result.Entries)
        {
            Invariant.That(entry.Key is not null && entry.Value is not null, "entry with a null key or value");
            CheckLocation(entry.Location, source, lines, "entry");
            sb.Append(entry.Key).Append('=').Append(entry.Value).Append('@').Append(entry.Location).Append('\n');
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            Invariant.OneLine(diagnostic.Message, "diagnostic " + diagnostic.Code);
            CheckLocation(diagnostic.Location, source, lines, "diagnostic " + diagnostic.Code);
            sb.Append(diagnostic).Append('\n');
        }

        return sb.ToString();
    }

    private static void CheckLocation(ConfigLocation location, string source, int lines, string what)
    {
        Invariant.That(location.Source == source, $"{what}: location names '{location.Source}', not '{source}'");
        Invariant.That(location.Line >= 1 && location.Line <= lines, $"{what}: line {location.Line} outside 1..{lines}");
        Invariant.That(location.Column >= 1, $"{what}: column {location.Column}");
    }
}
