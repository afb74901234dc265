namespace Emperor.Cli.Control;

/// <summary>Which Emperor a control command talks to: a stats address, a command socket, an id; empty = not given.</summary>
internal readonly record struct Target(string Stats, string Socket, string Id);
