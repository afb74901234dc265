namespace Emperor.Core.VassalRole;

/// <summary>
/// One hook: <c>hook-PHASE = ACTION:ARGUMENT</c> (a leading <c>!</c> makes it private: its text is never shown), or
/// <c>exec-PHASE = COMMAND</c>, which is the <c>exec</c> action. Within a phase the <c>hook-</c> lines run first, then
/// the <c>exec-</c> lines, each in file order, as uWSGI runs them.
/// </summary>
internal sealed record HookSpec(HookPhase Phase, string Option, string Action, string Argument, bool Private)
{
    /// <summary>What a failure line names: <c>hook-as-root mkdir:/run/app</c>, or the option alone for a private hook.</summary>
    public string Describe() =>
        Private ? $"{Option} (private hook)"
        : Option.StartsWith("exec-", StringComparison.Ordinal) ? $"{Option} {Argument}"
        : $"{Option} {Action}:{Argument}";
}
