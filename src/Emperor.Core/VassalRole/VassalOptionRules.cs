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
    private static readonly FrozenDictionary<string, string> s_refused = Build(
        (Namespace,
        [
            "setns", "setns-socket", "setns-socket-skip", "setns-skip", "setns-preopen", "namespace", "ns",
            "namespace-keep-mount", "namespace-net", "ns-net", "refork", "re-fork", "refork-as-root",
            "re-fork-as-root", "refork-post-jail", "re-fork-post-jail",
        ]),
        (Mount,
        [
            "mount-asap", "mount-pre-jail", "mount-post-jail", "mount-in-jail", "mount-as-root", "umount-asap",
            "umount-pre-jail", "umount-post-jail", "umount-in-jail", "umount-as-root",
        ]),
        (Call,
        [
            "call-asap", "call-pre-jail", "call-post-jail", "call-in-jail", "call-as-root", "call-as-user",
        ]),
        (Wait,
        [
            "wait-for-interface", "wait-interface", "wait-for-iface", "wait-iface", "wait-for-fs", "wait-for-file",
            "wait-for-dir", "wait-for-mountpoint",
        ]),
        (Output,
        [
            "logfile-chown", "pidfile", "envdir", "early-envdir",
            "immediate-uid", "immediate-gid", "binsh", "file-write", "prio",
        ]),
        (Socket,
        [
            "suwsgi-socket", "ssl-socket", "http11-socket", "https-socket", "fastcgi-socket", "fastcgi-nph-socket",
            "scgi-socket", "scgi-nph-socket", "raw-socket", "puwsgi-socket", "undeferred-shared-socket",
            "abstract-socket", "map-socket", "reuse-port", "freebind", "tcp-fast-open", "tcp-fastopen",
            "so-keepalive", "socket-sndbuf", "socket-rcvbuf", "zerg",
        ]));

    /// <summary>Options that change what the program runs with or where, carried out by the vassal role.</summary>
    private static readonly string[] s_carriedOut =
    [
        "socket", "http-socket", "uwsgi-socket", "shared-socket", "listen", "chmod-socket", "chown-socket",
        "privileged-binary-patch", "privileged-binary-patch-arg", "unprivileged-binary-patch",
        "unprivileged-binary-patch-arg", "chdir", "env", "unenv", "umask", "limit-as", "limit-nproc", "max-fd", "chroot",
        "uid", "gid", "add-gid", "no-initgroups", "unshare", "unshare2", "pivot-root", "jailed", "cap", "cgroup",
        "cgroup-opt", "cgroup-dir-mode", "hook-asap", "hook-pre-jail", "hook-in-jail", "hook-post-jail", "hook-as-root",
        "hook-as-user", "logto", "logto2", "daemonize", "log-truncate", "logfile-chmod", "log-maxsize", "log-backupname", "exec-asap", "exec-pre-jail", "exec-in-jail", "exec-post-jail", "exec-as-root", "exec-as-user",
    ];

    /// <summary>Read by the config language itself (sections, placeholders, logic, includes): neither used nor ignored.</summary>
    private static readonly FrozenSet<string> s_language = new[]
    {
        "ini", "xml", "xmlconfig", "yaml", "yml", "json", "js", "config", "fallback-config", "inherit", "include",
        "set", "set-placeholder", "set-ph", "get", "declare-option", "declare-option2", "strict", "for", "endfor",
        "end-for", "endif", "end-if", "show-config",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static FrozenDictionary<string, string> Build(params (string Reason, string[] Options)[] groups) =>
        groups.SelectMany(g => g.Options.Select(o => KeyValuePair.Create(o, g.Reason))).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Why the vassal role refuses <paramref name="option"/>, or <see langword="null"/> when it does not.</summary>
    public static string? RefusalReason(string option) => s_refused.GetValueOrDefault(option);

    /// <summary>The one line for a refused option: where, what, why and the hint.</summary>
    public static string Refusal(ConfigLocation? where, string option, string value, string reason) =>
        $"{Where(where)}{option} = {value}: not supported by the Emperor's vassal role ({reason}); {RealUwsgiHint}";

    /// <summary>"FILE:LINE: " for a known location, else "".</summary>
    public static string Where(ConfigLocation? where) =>
        where is { Source.Length: > 0 } w ? $"{w.Source}:{w.Line}: " : string.Empty;

    /// <summary>
    /// A name that is no uWSGI option but one edit away from one that changes how the program runs (<c>caps</c>,
    /// <c>unshar</c>, <c>uidd</c>): the option uWSGI would have refused as unrecognised, or null. Such a name is most
    /// likely a typo, and ignoring it would run the program unjailed. Other unknown names are placeholders or plugin
    /// options.
    /// </summary>
    public static string? MistypedGuardedOption(string option)
    {
        if (option.Length < 3 || UwsgiOptionTable.Find(option) is not null)
        {
            return null;
        }

        return s_carriedOut.Concat(s_refused.Keys).FirstOrDefault(known => OptionSuggester.Distance(option, known) == 1);
    }

    /// <summary>An option the config language consumed or uWSGI applied while reading the config.</summary>
    public static bool IsConfigLanguage(string option) =>
        s_language.Contains(option) || option.StartsWith("if", StringComparison.Ordinal)
        || option.StartsWith("for-", StringComparison.Ordinal) || UwsgiOptionTable.Find(option) is { Immediate: true };
}
