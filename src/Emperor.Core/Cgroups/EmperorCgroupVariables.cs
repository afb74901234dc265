namespace Emperor.Core.Cgroups;

/// <summary>What the Emperor tells a vassal about its cgroup (<c>--emperor-cgroup</c>), in its environment.</summary>
internal static class EmperorCgroupVariables
{
    /// <summary>The vassal's own cgroup directory (the v2 one where there is one): for the app, and for tools.</summary>
    public const string Path = "EMPEROR_CGROUP";

    /// <summary>Set to <see cref="FromFile"/> when the Emperor read the vassal file's <c>emperor-cgroup-opt</c> lines and wrote them.</summary>
    public const string Limits = "EMPEROR_CGROUP_LIMITS";

    public const string FromFile = "file";
}
