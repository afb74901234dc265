namespace Emperor.Core.VassalRole;

/// <summary>
/// The jail part of a <see cref="VassalPlan"/>, each in its uWSGI phase (docs/jails.md): <c>unshare</c> at the start
/// of the privilege drop, then <c>chroot</c>, <c>pivot_root</c>, <c>unshare2</c>, then gid/uid.
/// </summary>
internal sealed record JailPlan
{
    public static readonly JailPlan None = new();

    /// <summary><c>unshare</c>: CLONE_NEW* flags, accumulated over every occurrence; 0 = none.</summary>
    public int Unshare { get; init; }

    /// <summary><c>unshare2</c>: the same, applied after the root change.</summary>
    public int Unshare2 { get; init; }

    /// <summary><c>pivot-root = NEW_ROOT PUT_OLD</c>, PUT_OLD relative to NEW_ROOT; null = none.</summary>
    public (string NewRoot, string PutOld)? PivotRoot { get; init; }

    /// <summary>Every hook, in the order it runs (by phase, then hook- before exec- lines, then file order).</summary>
    public IReadOnlyList<HookSpec> Hooks { get; init; } = [];

    /// <summary>
    /// <c>cap</c>: capabilities kept across the uid drop (keep-caps before it; after it the effective, permitted,
    /// inheritable and ambient sets are exactly these, so the exec'd program has them). Last occurrence wins, as in uWSGI.
    /// </summary>
    public IReadOnlyList<int> Capabilities { get; init; } = [];

    /// <summary><c>cgroup = PATH</c>: cgroups to create (if missing) and join, v1 or v2, in order.</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];

    /// <summary><c>cgroup-opt = KEY=VALUE</c>: written to PATH/KEY of each cgroup that has that file.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CgroupOptions { get; init; } = [];

    /// <summary><c>cgroup-dir-mode</c>: the mode of a cgroup directory (uWSGI's default 0700).</summary>
    public int CgroupDirMode { get; init; } = Convert.ToInt32("700", 8);

    /// <summary><c>jailed</c>: run the post-jail hooks even without <c>unshare</c>.</summary>
    public bool Jailed { get; init; }
}
