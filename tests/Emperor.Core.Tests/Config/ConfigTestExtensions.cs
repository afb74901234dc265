using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

internal static class ConfigTestExtensions
{
    public static ConfigLoadResult Load(this FakeConfigHost host, params string[] args) => ConfigLoader.Load(args, host);

    /// <summary>The options as "key = value" lines, the way --show-config prints them.</summary>
    public static string[] Lines(this ConfigLoadResult result) =>
        [.. result.Options.Select(o => $"{o.Key} = {o.Value ?? "true"}")];

    public static string[] Values(this ConfigLoadResult result, string key) =>
        [.. result.GetAll(key).Select(v => v ?? "true")];

    public static ConfigDiagnostic Single(this ConfigLoadResult result, ConfigDiagnosticCode code) =>
        Assert.Single(result.Diagnostics, d => d.Code == code);
}
