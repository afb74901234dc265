namespace Emperor.Core.Config.Options;

/// <summary>One option parsed from the command line, with the index of the argument it came from.</summary>
internal readonly record struct CommandLineItem(string Name, string? Value, int ArgumentIndex);
