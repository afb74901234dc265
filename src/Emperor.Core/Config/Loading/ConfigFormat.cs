namespace Emperor.Core.Config.Loading;

/// <summary>The four configuration formats.</summary>
internal enum ConfigFormat
{
    Ini,
    Xml,
    Yaml,
    Json,
}
