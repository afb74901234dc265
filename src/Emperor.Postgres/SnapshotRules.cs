namespace Emperor.Postgres;

/// <summary>What makes a row a vassal: the Emperor's settings that apply to rows.</summary>
/// <param name="Tyrant"><c>--emperor-tyrant</c>: uid and gid columns required, never 0 (spec §9).</param>
/// <param name="ExtraExtensions"><c>--emperor-extra-extension</c> suffixes (spec §2.2).</param>
/// <param name="MaxConfigBytes">Configs above this are refused (uWSGI truncates at 64 KiB; we push up to this).</param>
internal sealed record SnapshotRules(bool Tyrant, IReadOnlyList<string> ExtraExtensions, int MaxConfigBytes = SnapshotRules.DefaultMaxConfigBytes)
{
    /// <summary>1 MiB: sixteen times what uWSGI can push, far below what a runaway row could cost every host.</summary>
    public const int DefaultMaxConfigBytes = 1024 * 1024;
}
