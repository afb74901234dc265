using System.Text;
using Emperor.Core.Config.Expansion;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// One expansion pass with the placeholder pipeline behind it, as the loader runs it. Input: the first line is the
/// value; every further line <c>key=value</c> defines an option (first definition wins, as <c>%(key)</c> sees it).
/// Checks: the limits hold (length, Runaway flagged when a limit stopped the pass) and a value without the pass
/// symbol comes back unchanged.
/// </summary>
internal sealed class PlaceholderTarget : IFuzzTarget
{
    private const int MaxSubstitutions = 500;
    private const int MaxLength = 64 * 1024;

    public string Name => "placeholders";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("%(a) and %(b + 1) and %(a b) %(c ++) %(x / 0) %(9223372036854775807 + 1)\na=1\nb=41\nc=-3\n"),
        ConfigChecks.Utf8("%(a)\na=%(a)%(a)\n"),
        ConfigChecks.Utf8("%(%(k))%((x))%(\nk=a\na=deep\n"),
        ConfigChecks.Utf8("$(HOME)/%(x)\nHOME=/root\nx=%(\n"),
    ];

    public IReadOnlyList<string> Dictionary => ["%(", "(", "%", ")", " + ", " - ", " * ", " / ", " ++", " --", "\na=", "\nb=%(a)%(a)", "9223372036854775807", "-9223372036854775808", "0x10", " ", "$(", "@("];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".ini") && path.Contains("placeholder", StringComparison.Ordinal);

    public string Run(byte[] input)
    {
        var lines = ConfigChecks.Text(input).Split('\n');
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            _ = options.TryAdd(eq < 0 ? line : line[..eq], eq < 0 ? string.Empty : line[(eq + 1)..]);
        }

        var notes = new StringBuilder();
        var symbol = lines[0].Length > 0 && lines[0][0] == '$' ? '$' : '%';
        var value = ExpansionPass.Apply(
            lines[0],
            symbol,
            key => PlaceholderPipeline.Evaluate(key, k => options.GetValueOrDefault(k), (note, token) => notes.Append(note).Append(' ').Append(token).Append(';')),
            MaxSubstitutions,
            MaxLength,
            out var outcome);
        Invariant.That(value.Length <= Math.Max(MaxLength, lines[0].Length), $"expanded to {value.Length} characters, above the {MaxLength} limit");
        if (!lines[0].Contains(symbol, StringComparison.Ordinal))
        {
            Invariant.That(value == lines[0] && outcome == ExpansionPass.Outcome.None, "a value without the symbol changed");
        }

        return $"{outcome}|{value}|{notes}";
    }
}
