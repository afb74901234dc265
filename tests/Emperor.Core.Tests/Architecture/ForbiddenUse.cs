namespace Emperor.Core.Tests.Architecture;

/// <summary>
/// One thing Emperor.Core must not use: a whole type (any member of it, or the type itself), a whole namespace,
/// or one member of a type (<c>System.DateTime::get_Now</c>).
/// </summary>
internal sealed record ForbiddenUse(string Name, string? Namespace = null, string? Type = null, string? Member = null)
{
    /// <summary>What Core must not touch: processes, sockets, files, directories, the environment, the wall clock.</summary>
    public static readonly IReadOnlyList<ForbiddenUse> InCore =
    [
        new("files", Type: "System.IO.File"),
        new("files", Type: "System.IO.FileInfo"),
        new("files", Type: "System.IO.FileStream"),
        new("directories", Type: "System.IO.Directory"),
        new("directories", Type: "System.IO.DirectoryInfo"),
        new("the environment", Type: "System.Environment"),
        new("processes", Type: "System.Diagnostics.Process"),
        new("processes", Type: "System.Diagnostics.ProcessStartInfo"),
        new("sockets", Namespace: "System.Net.Sockets"),
        new("the wall clock", Type: "System.DateTime", Member: "get_Now"),
        new("the wall clock", Type: "System.DateTime", Member: "get_UtcNow"),
        new("the wall clock", Type: "System.DateTime", Member: "get_Today"),
        new("the wall clock", Type: "System.DateTimeOffset", Member: "get_Now"),
        new("the wall clock", Type: "System.DateTimeOffset", Member: "get_UtcNow"),
    ];

    /// <summary>Whether a use (<c>Namespace.Type</c> or <c>Namespace.Type::Member</c>, as <see cref="AssemblyUses"/> lists them) is this one.</summary>
    public bool Matches(string use)
    {
        ArgumentNullException.ThrowIfNull(use);
        var split = use.IndexOf("::", StringComparison.Ordinal);
        var type = split < 0 ? use : use[..split];
        var member = split < 0 ? null : use[(split + 2)..];
        if (Namespace is not null)
        {
            return type.StartsWith(Namespace + ".", StringComparison.Ordinal);
        }

        var sameType = type == Type || type.StartsWith(Type + "+", StringComparison.Ordinal);
        return Member is null ? sameType : sameType && member == Member;
    }
}
