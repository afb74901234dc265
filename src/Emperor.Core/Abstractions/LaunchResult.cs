namespace Emperor.Core.Abstractions;

/// <summary>A started process, or the reason none was started.</summary>
internal readonly record struct LaunchResult(IVassalProcess? Process, string? Error);
