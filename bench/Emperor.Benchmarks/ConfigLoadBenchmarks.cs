using BenchmarkDotNet.Attributes;
using Emperor.Core.Config;

namespace Emperor.Benchmarks;

/// <summary>
/// Parse + expand of one typical vassal file (plus its include), as the vassal role and <c>--show-config</c> do it,
/// with the operating system replaced by an in-memory host: the figure is the config language alone.
/// </summary>
[MemoryDiagnoser]
public class ConfigLoadBenchmarks
{
    private InMemoryConfigHost _host = null!;
    private string[] _args = [];

    public enum Format
    {
        Ini,
        Yaml,
        Json,
        Xml,
    }

    [Params(Format.Ini, Format.Yaml, Format.Json, Format.Xml)]
    public Format Kind { get; set; }

    /// <summary>The host and the vassal's arguments (`--ini shop.ini`, run in the vassal directory).</summary>
    internal static (InMemoryConfigHost Host, string[] Args) Create(Format kind)
    {
        var host = new InMemoryConfigHost(VassalFiles.Directory).File("common.ini", VassalFiles.Common);
        string[] args = kind switch
        {
            Format.Ini => ["--ini", "shop.ini"],
            Format.Yaml => ["--yaml", "shop.yaml"],
            Format.Json => ["--json", "shop.json"],
            _ => ["--xml", "shop.xml"],
        };
        var text = kind switch
        {
            Format.Ini => VassalFiles.Ini,
            Format.Yaml => VassalFiles.Yaml,
            Format.Json => VassalFiles.Json,
            _ => VassalFiles.Xml,
        };
        host.File(args[1], text);
        return (host, args);
    }

    [GlobalSetup]
    public void Setup()
    {
        (_host, _args) = Create(Kind);
        var result = ConfigLoader.Load(_args, _host);
        if (result.HasErrors)
        {
            throw new InvalidOperationException($"{Kind}: {string.Join("; ", result.Diagnostics)}");
        }
    }

    [Benchmark]
    public object Load() => ConfigLoader.Load(_args, _host);
}
