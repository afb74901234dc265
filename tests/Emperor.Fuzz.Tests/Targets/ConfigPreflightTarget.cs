using System.Text;
using Emperor.Core.Config;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The Emperor's pre-spawn check of a vassal file: never throws, and agrees with .NET's own UTF-8 validation.</summary>
internal sealed class ConfigPreflightTarget : IFuzzTarget
{
    public string Name => "preflight";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("[uwsgi]\nsocket = :3031\n"),
        [0xEF, 0xBB, 0xBF, 0x5B, 0xC3, 0xA9, 0xE2, 0x98],
        [0x41, 0x00, 0x42],
    ];

    public IReadOnlyList<string> Dictionary => ["\u00e9", "\u2603", "\0"];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".ini", ".xml", ".yaml", ".yml", ".json", ".js");

    public string Run(byte[] input)
    {
        var verdict = ConfigPreflight.Inspect(input, complete: true);
        var valid = input.AsSpan().IndexOf((byte)0) < 0 && System.Text.Unicode.Utf8.IsValid(input);
        if ((verdict is null) != valid)
        {
            throw new FuzzInvariantException($"preflight said '{verdict ?? "ok"}' for {(valid ? "valid" : "invalid")} text");
        }

        // A truncated view is never stricter than the whole file's verdict for a valid file.
        if (valid && input.Length > 1 && ConfigPreflight.Inspect(input.AsSpan(0, input.Length - 1), complete: false) is { } cut)
        {
            throw new FuzzInvariantException("a cut view of a valid file was refused: " + cut);
        }

        return verdict ?? "ok:" + Encoding.UTF8.GetCharCount(input);
    }
}
