namespace Emperor.Core.Config.Options;

/// <summary>The headings of <c>emperor --help</c>, in the order they are printed.</summary>
internal enum EmperorOptionGroup
{
    Sources,
    Lifecycle,
    Judgement,
    Tyrant,

    /// <summary>What the Emperor sets up around every vassal: cgroups and the capability bounding set.</summary>
    Jails,
    StatsControl,
    Logs,
    Sockets,
    Routers,

    /// <summary>Options of the vassal role (<c>emperor --ini FILE</c>), listed by <c>emperor help vassal</c>.</summary>
    Vassal,
}
