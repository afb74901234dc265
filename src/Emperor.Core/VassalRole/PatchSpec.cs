namespace Emperor.Core.VassalRole;

/// <summary>
/// A binary patch (spec §11): either a program that gets the vassal's original arguments
/// (<c>*-binary-patch = PROG</c>) or a command line run by <c>/bin/sh -c</c> (<c>*-binary-patch-arg</c>).
/// </summary>
internal sealed record PatchSpec(string Option, string Value, bool ThroughShell);
