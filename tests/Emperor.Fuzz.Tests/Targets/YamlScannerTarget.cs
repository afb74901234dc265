using System.Text;
using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The YAML scanner alone, pulled to the end: it starts with STREAM-START, ends with STREAM-END or an error,
/// every offset lies in the text and the token count stays linear in the input (no loop that produces tokens
/// without consuming input).
/// </summary>
internal sealed class YamlScannerTarget : IFuzzTarget
{
    public string Name => "yaml-scanner";

    public IEnumerable<byte[]> Seeds => YamlSeeds.All;

    public IReadOnlyList<string> Dictionary => YamlSeeds.Dictionary;

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".yaml", ".yml");

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        var scanner = new YamlScanner(text, 64);
        var sb = new StringBuilder();
        var count = 0;
        var limit = (4 * text.Length) + 16;
        YamlTokenKind? last = null;
        while (scanner.Next(out var token))
        {
            Invariant.That(count > 0 || token.Kind == YamlTokenKind.StreamStart, $"first token is {token.Kind}");
            Invariant.That(last != YamlTokenKind.StreamEnd, "a token after STREAM-END");
            Invariant.That(token.Offset >= 0 && token.Offset <= text.Length, $"token offset {token.Offset} outside 0..{text.Length}");
            Invariant.That(++count <= limit, $"more than {limit} tokens");
            last = token.Kind;
            sb.Append(token.Kind).Append(' ').Append(token.Value).Append('@').Append(token.Offset).Append('\n');
        }

        if (scanner.Error is { } error)
        {
            Invariant.OneLine(error.Message, "scanner error");
            Invariant.That(error.Offset >= 0 && error.Offset <= text.Length, $"error offset {error.Offset} outside 0..{text.Length}");
            sb.Append("error ").Append(error.Message).Append('@').Append(error.Offset);
        }
        else
        {
            Invariant.That(last == YamlTokenKind.StreamEnd, $"the stream ended on {last?.ToString() ?? "nothing"} without an error");
        }

        return sb.ToString();
    }
}
