using System.Collections.Frozen;
using Emperor.Core.Config;
using Emperor.Core.Config.Options;

namespace Emperor.Core.VassalRole;

/// <summary>
/// What the vassal role does with an option it does not carry out (issue #15 §5, "never silent"). uWSGI applies
/// some options before or while it drops privileges, that is before it execs a binary patch: those change what the
/// program runs with or where, so the vassal role refuses them with one line naming the file, the line and the
/// option. Every other uWSGI option is read only by the app server that a binary patch replaces (processes,
/// harakiri, module, ...); uWSGI never gets to them once it has exec'd the patch, so they are ignored and listed once
/// at debug level.
/// </summary>
internal static class VassalOptionRules
{
    public const string RealUwsgiHint = "start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI";

    private const string Namespace = "a namespace or jail the vassal role does not set up";
    private const string Mount = "mounting is not carried out by the vassal role";
    private const string Call = "it calls a C function inside uWSGI";
    private const string Wait = "the vassal role does not wait for it before starting the program";
    private const string Output = "uWSGI applies it before it execs the program, the vassal role does not";
    private const string Socket = "the vassal role binds only socket, http-socket, uwsgi-socket and shared-socket, with default options";

    /// <summary>Options uWSGI applies before the exec of a binary patch that the vassal role does not carry out.</summary>
    private static readonly FrozenDictionary<string, string> s_refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["setns"] = Namespace, ["setns-socket"] = Namespace, ["setns-socket-skip"] = Namespace, ["setns-skip"] = Namespace,
        ["setns-preopen"] = Namespace, ["namespace"] = Namespace, ["ns"] = Namespace, ["namespace-keep-mount"] = Namespace,
        ["namespace-net"] = Namespace, ["ns-net"] = Namespace, ["refork"] = Namespace, ["re-fork"] = Namespace,
        ["refork-as-root"] = Namespace, ["re-fork-as-root"] = Namespace, ["refork-post-jail"] = Namespace,
        ["re-fork-post-jail"] = Namespace,
        ["mount-asap"] = Mount, ["mount-pre-jail"] = Mount, ["mount-post-jail"] = Mount, ["mount-in-jail"] = Mount,
        ["mount-as-root"] = Mount, ["umount-asap"] = Mount, ["umount-pre-jail"] = Mount, ["umount-post-jail"] = Mount,
        ["umount-in-jail"] = Mount, ["umount-as-root"] = Mount,
        ["call-asap"] = Call, ["call-pre-jail"] = Call, ["call-post-jail"] = Call, ["call-in-jail"] = Call,
        ["call-as-root"] = Call, ["call-as-user"] = Call,
        ["wait-for-interface"] = Wait, ["wait-interface"] = Wait, ["wait-for-iface"] = Wait, ["wait-iface"] = Wait,
        ["wait-for-fs"] = Wait, ["wait-for-file"] = Wait, ["wait-for-dir"] = Wait, ["wait-for-mountpoint"] = Wait,
        ["daemonize"] = Output, ["logto"] = Output, ["logfile-chown"] = Output, ["logfile-chmod"] = Output,
        ["pidfile"] = Output, ["envdir"] = Output, ["early-envdir"] = Output, ["immediate-uid"] = Output,
        ["immediate-gid"] = Output, ["binsh"] = Output, ["file-write"] = Output, ["prio"] = Output,
        ["suwsgi-socket"] = Socket, ["ssl-socket"] = Socket, ["http11-socket"] = Socket, ["https-socket"] = Socket,
        ["fastcgi-socket"] = Socket, ["fastcgi-nph-socket"] = Socket, ["scgi-socket"] = Socket,
        ["scgi-nph-socket"] = Socket, ["raw-socket"] = Socket, ["puwsgi-socket"] = Socket,
        ["undeferred-shared-socket"] = Socket, ["abstract-socket"] = Socket, ["map-socket"] = Socket,
        ["reuse-port"] = Socket, ["freebind"] = Socket, ["tcp-fast-open"] = Socket, ["tcp-fastopen"] = Socket,
        ["so-keepalive"] = Socket, ["socket-sndbuf"] = Socket, ["socket-rcvbuf"] = Socket, ["zerg"] = Socket,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Read by the config language itself (sections, placeholders, logic, includes): neither used nor ignored.</summary>
    private static readonly FrozenSet<string> s_language = new[]
    {
        "ini", "xml", "xmlconfig", "yaml", "yml", "json", "js", "config", "fallback-config", "inherit", "include",
        "set", "set-placeholder", "set-ph", "get", "declare-option", "declare-option2", "strict", "for", "endfor",
        "end-for", "endif", "end-if", "show-config",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Why the vassal role refuses <paramref name="option"/>, or <see langword="null"/> when it does not.</summary>
    public static string? RefusalReason(string option) => s_refused.GetValueOrDefault(option);

    /// <summary>The one line for a refused option: where, what, why and the hint.</summary>
    public static string Refusal(ConfigLocation? where, string option, string value, string reason) =>
        $"{Where(where)}{option} = {value}: not supported by the Emperor's vassal role ({reason}); {RealUwsgiHint}";

    /// <summary>"FILE:LINE: " for a known location, else "".</summary>
    public static string Where(ConfigLocation? where) =>
        where is { Source.Length: > 0 } w ? $"{w.Source}:{w.Line}: " : string.Empty;

    /// <summary>An option the config language consumed or uWSGI applied while reading the config.</summary>
    public static bool IsConfigLanguage(string option) =>
        s_language.Contains(option) || option.StartsWith("if", StringComparison.Ordinal)
        || option.StartsWith("for-", StringComparison.Ordinal) || UwsgiOptionTable.Find(option) is { Immediate: true };
}
