namespace Emperor.Core.VassalRole;

/// <summary>When a hook runs, in the order the phases come (uWSGI 2.0; docs/jails.md "Phases").</summary>
internal enum HookPhase
{
    /// <summary><c>hook-asap</c>, <c>exec-asap</c>: right after the config is read, before the sockets are bound.</summary>
    Asap,

    /// <summary><c>*-pre-jail</c>: after the sockets, before the privileged patch.</summary>
    PreJail,

    /// <summary><c>*-in-jail</c>: after the cgroup, before chdir, env and limits.</summary>
    InJail,

    /// <summary><c>*-post-jail</c>: after <c>unshare</c>; only when namespaces were unshared or with <c>jailed</c>.</summary>
    PostJail,

    /// <summary><c>*-as-root</c>: after the root change, before the privilege drop.</summary>
    AsRoot,

    /// <summary><c>*-as-user</c>: after the privilege drop, before the unprivileged patch.</summary>
    AsUser,
}
