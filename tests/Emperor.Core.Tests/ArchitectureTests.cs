using System.Reflection;
using Emperor.Core.Tests.Architecture;

namespace Emperor.Core.Tests;

/// <summary>
/// The layering of docs/design.md, checked on the compiled assemblies' metadata: Core uses no process, socket,
/// file, directory, environment or wall clock (the banned-API analyser enforces it at build time; this catches the
/// analyser being removed or bypassed), and every project depends on exactly what it is meant to.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The project assemblies and the ones each may reference; Vassal may reference Unix (docs/design.md).</summary>
    private static readonly Dictionary<string, string[]> s_allowed = new(StringComparer.Ordinal)
    {
        ["Emperor.Core"] = [],
        ["Emperor.Unix"] = ["Emperor.Core"],
        ["Emperor.Hosting"] = ["Emperor.Core"],
        ["Emperor.Postgres"] = ["Emperor.Core"],
        ["Emperor.Amqp"] = ["Emperor.Core"],
        ["Emperor.Zmq"] = ["Emperor.Core"],
        ["Emperor.Vassal"] = ["Emperor.Core", "Emperor.Unix"],
        ["emperor"] = ["Emperor.Core", "Emperor.Unix", "Emperor.Hosting", "Emperor.Postgres", "Emperor.Amqp", "Emperor.Zmq", "Emperor.Vassal"],
    };

    /// <summary>The edges that must be there: every layer builds on Core, and only the executable wires them all.</summary>
    private static readonly Dictionary<string, string[]> s_required = new(StringComparer.Ordinal)
    {
        ["Emperor.Core"] = [],
        ["Emperor.Unix"] = ["Emperor.Core"],
        ["Emperor.Hosting"] = ["Emperor.Core"],
        ["Emperor.Postgres"] = ["Emperor.Core"],
        ["Emperor.Amqp"] = ["Emperor.Core"],
        ["Emperor.Zmq"] = ["Emperor.Core"],
        ["Emperor.Vassal"] = ["Emperor.Core"],
        ["emperor"] = ["Emperor.Core", "Emperor.Unix", "Emperor.Hosting", "Emperor.Postgres", "Emperor.Amqp", "Emperor.Zmq", "Emperor.Vassal"],
    };

    public static TheoryData<string> Projects => [.. s_allowed.Keys];

    [Fact]
    public void Core_UsesNoProcessSocketFileDirectoryEnvironmentOrWallClock()
    {
        var core = AssemblyUses.Read(typeof(AssemblyMarker).Assembly.Location);

        Assert.Contains("System.TimeProvider", core.Types); // the references were read: Core's clock is injected
        Assert.Empty(core.Violations(ForbiddenUse.InCore));
    }

    [Fact]
    public void Checker_FindsEachForbiddenUse_InAnAssemblyThatHasThem()
    {
        var sample = AssemblyUses.Read(typeof(ForbiddenUseSample).Assembly.Location);

        var found = sample.Violations(ForbiddenUse.InCore);

        Assert.Subset(
            found.ToHashSet(StringComparer.Ordinal),
            new HashSet<string>(StringComparer.Ordinal)
            {
                "files: System.IO.File::ReadAllText",
                "files: System.IO.FileInfo::.ctor",
                "directories: System.IO.Directory::Exists",
                "directories: System.IO.DirectoryInfo::.ctor",
                "the environment: System.Environment::GetEnvironmentVariable",
                "the wall clock: System.DateTime::get_Now",
                "the wall clock: System.DateTime::get_UtcNow",
                "the wall clock: System.DateTimeOffset::get_UtcNow",
                "processes: System.Diagnostics.Process::GetProcessById",
                "sockets: System.Net.Sockets.Socket::.ctor",
                "sockets: System.Net.Sockets.AddressFamily",
            });
    }

    [Theory]
    [InlineData("System.IO.File::ReadAllText", "System.IO.File", null, true)]
    [InlineData("System.IO.FileSystemInfo::get_Name", "System.IO.File", null, false)]
    [InlineData("System.IO.File", "System.IO.File", null, true)]
    [InlineData("System.DateTime::get_Now", "System.DateTime", "get_Now", true)]
    [InlineData("System.DateTime::get_Ticks", "System.DateTime", "get_Now", false)]
    [InlineData("System.Environment+SpecialFolder", "System.Environment", null, true)]
    public void ForbiddenUse_MatchesTheTypeOrMemberItNames(string use, string type, string? member, bool expected) =>
        Assert.Equal(expected, new ForbiddenUse("rule", Type: type, Member: member).Matches(use));

    [Theory]
    [MemberData(nameof(Projects))]
    public void Project_ReferencesOnlyTheProjectsItIsMeantTo(string assembly)
    {
        var references = AssemblyUses.Read(BuiltAssembly(assembly)).Assemblies.Where(s_allowed.ContainsKey).ToHashSet(StringComparer.Ordinal);

        Assert.Subset(s_allowed[assembly].ToHashSet(StringComparer.Ordinal), references);
        Assert.Superset(s_required[assembly].ToHashSet(StringComparer.Ordinal), references);
    }

    /// <summary>
    /// A project's assembly in its own build output (.build/bin/PROJECT/PIVOT/), whose root the project file bakes in
    /// (the test project references every src project, unreferenced, so they are built first).
    /// </summary>
    private static string BuiltAssembly(string assembly)
    {
        var metadata = typeof(ArchitectureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var project = assembly == "emperor" ? "Emperor.Cli" : assembly;
        var path = Path.Combine(metadata["ArtifactsBin"]!, project, metadata["ArtifactsPivot"]!, assembly + ".dll");
        Assert.True(File.Exists(path), $"{path} is not built; build tests/Emperor.Core.Tests (it builds every src project first)");
        return path;
    }
}
