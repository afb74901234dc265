using Emperor.Core.Config.Formats;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>The YAML reader (on top of the scanner).</summary>
internal sealed class YamlReaderTarget : IFuzzTarget
{
    public string Name => "yaml";

    public IEnumerable<byte[]> Seeds => YamlSeeds.All;

    public IReadOnlyList<string> Dictionary => YamlSeeds.Dictionary;

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".yaml", ".yml");

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        return ConfigChecks.Check(YamlConfigReader.Read(text, "fuzz.yaml"), "fuzz.yaml", text);
    }
}
