using System.Collections.Frozen;

namespace Emperor.Core.VassalRole;

/// <summary>The <c>hook-*</c> actions (uWSGI 2.0 core/hooks.c): those the vassal role carries out and those it refuses.</summary>
internal static class HookActions
{
    /// <summary>Carried out by the vassal role.</summary>
    public static readonly FrozenSet<string> Supported = new[]
    {
        "exec", "safeexec", "cd", "chdir", "mkdir", "putenv", "chmod", "chown", "chown2", "sticky", "create", "creat",
        "write", "writen", "append", "appendn", "writefifo", "unlink", "hostname", "exit", "print", "log",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>uWSGI has them; the vassal role does not (they mount, call into uWSGI or wait).</summary>
    public static readonly FrozenSet<string> Refused = new[]
    {
        "mount", "umount", "call", "callret", "callint", "callintret", "rpc", "retryrpc", "alarm", "unix_signal",
        "spinningfifo", "wait_for_fs", "wait_for_file", "wait_for_dir", "wait_for_socket",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The phase of a <c>hook-*</c> or <c>exec-*</c> option the vassal role runs, or null.</summary>
    public static HookPhase? PhaseOf(string option) => option switch
    {
        "hook-asap" or "exec-asap" => HookPhase.Asap,
        "hook-pre-jail" or "exec-pre-jail" => HookPhase.PreJail,
        "hook-in-jail" or "exec-in-jail" => HookPhase.InJail,
        "hook-post-jail" or "exec-post-jail" => HookPhase.PostJail,
        "hook-as-root" or "exec-as-root" => HookPhase.AsRoot,
        "hook-as-user" or "exec-as-user" => HookPhase.AsUser,
        _ => null,
    };
}
