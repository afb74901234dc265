namespace Emperor.Core.VassalRole;

/// <summary>
/// What the vassal role will do, in uWSGI's order (spec §11): bind sockets, privileged patch, then chdir, env,
/// umask, rlimits, chroot, gid/groups, uid, then the unprivileged patch. Decided purely from the options.
/// </summary>
internal sealed record VassalPlan
{
    public IReadOnlyList<SocketSpec> Sockets { get; init; } = [];

    public int ListenBacklog { get; init; } = 100;

    /// <summary><c>chmod-socket</c> mode for UNIX sockets, or null.</summary>
    public int? ChmodSocket { get; init; }

    /// <summary><c>chown-socket</c> as <c>user[:group]</c>, or null.</summary>
    public string? ChownSocket { get; init; }

    public PatchSpec? PrivilegedPatch { get; init; }

    public PatchSpec? UnprivilegedPatch { get; init; }

    public string? Chdir { get; init; }

    /// <summary>
    /// <c>logto</c> (or <c>daemonize</c>, which under an Emperor only logs, as in uWSGI): opened and made stdout and
    /// stderr before the privileged patch; null for none.
    /// </summary>
    public LogSpec? LogTo { get; init; }

    /// <summary><c>logto2</c>: the same, opened after privileges are dropped; null for none.</summary>
    public LogSpec? LogTo2 { get; init; }

    /// <summary><c>env = NAME=VALUE</c> in order (a bare <c>NAME</c> sets it to "").</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    public IReadOnlyList<string> Unenv { get; init; } = [];

    public int? Umask { get; init; }

    /// <summary><c>limit-as</c> in bytes.</summary>
    public long? LimitAs { get; init; }

    public long? LimitNproc { get; init; }

    /// <summary><c>max-fd</c> (RLIMIT_NOFILE).</summary>
    public long? MaxFd { get; init; }

    public string? Chroot { get; init; }

    /// <summary><c>uid</c>: a user name or a number.</summary>
    public string? Uid { get; init; }

    /// <summary><c>gid</c>: a group name or a number.</summary>
    public string? Gid { get; init; }

    /// <summary><c>add-gid</c>: extra groups, names or numbers.</summary>
    public IReadOnlyList<string> AddGids { get; init; } = [];

    /// <summary>
    /// Take the supplementary groups of the uid's account when both uid and gid are set, as uWSGI does by
    /// default; <c>no-initgroups</c> turns it off (then only <c>add-gid</c> groups remain).
    /// </summary>
    public bool InitGroups { get; init; } = true;

    /// <summary>Namespaces, root change, hooks, capabilities and cgroups, each in its uWSGI phase.</summary>
    public JailPlan Jail { get; init; } = JailPlan.None;

    /// <summary>uWSGI app-server options found (module, wsgi-file, ...): we cannot host those.</summary>
    public IReadOnlyList<string> AppServerOptions { get; init; } = [];

    /// <summary>
    /// Options read only by uWSGI's app server, which a binary patch replaces (uWSGI never reaches them once it has
    /// exec'd the patch): ignored, each named once, in first-seen order, for the debug line.
    /// </summary>
    public IReadOnlyList<string> IgnoredOptions { get; init; } = [];

    /// <summary>
    /// <c>emperor-cgroup-opt = KEY=VALUE</c>: limits the Emperor writes to the vassal's own cgroup (<c>--emperor-cgroup</c>),
    /// with where each was written. The vassal role only checks that the Emperor did.
    /// </summary>
    public IReadOnlyList<(KeyValuePair<string, string> Option, string Where)> EmperorCgroupOptions { get; init; } = [];
}
