using System.Text.Json.Serialization;

namespace Emperor.Core.Stats;

/// <summary>Source-generated (AOT-safe) serialisation of the stats document, tab-indented like uWSGI's.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, IndentCharacter = '\t', IndentSize = 1)]
[JsonSerializable(typeof(EmperorStats))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
