namespace Emperor.Core.Config.Options;

/// <summary>Options in order, then the non-option arguments (config files loaded by suffix), and any errors.</summary>
internal sealed record CommandLineParseResult(
    IReadOnlyList<CommandLineItem> Options,
    IReadOnlyList<CommandLineItem> Files,
    IReadOnlyList<ConfigDiagnostic> Diagnostics);
