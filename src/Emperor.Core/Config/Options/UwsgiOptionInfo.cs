namespace Emperor.Core.Config.Options;

/// <summary>One row of <see cref="UwsgiOptionTable"/>.</summary>
internal sealed record UwsgiOptionInfo(string Name, UwsgiOptionArgument Argument, char? Short, bool Immediate);
