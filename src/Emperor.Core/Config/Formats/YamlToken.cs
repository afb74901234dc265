namespace Emperor.Core.Config.Formats;

/// <summary>A scanner token; <paramref name="Value"/> is set for scalars, <paramref name="Offset"/> is where it starts.</summary>
internal readonly record struct YamlToken(YamlTokenKind Kind, string? Value, int Offset);
