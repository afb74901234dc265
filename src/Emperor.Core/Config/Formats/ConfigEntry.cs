namespace Emperor.Core.Config.Formats;

/// <summary>One option read from a file, with where it was written.</summary>
internal readonly record struct ConfigEntry(string Key, string Value, ConfigLocation Location);
