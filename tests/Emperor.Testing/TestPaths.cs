namespace Emperor.Testing;

/// <summary>Where the repository and the binaries under test are.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The folder holding Emperor.slnx, found by walking up from the test assembly.</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>
    /// The emperor executable: $EMPEROR_BIN, else artifacts/emperor/emperor (the AOT publish), else
    /// the debug build under .build/bin/Emperor.Cli (debug/ or, when built for an explicit RID,
    /// debug_linux-x64/; the newer of the two, so a stale one is not picked).
    /// </summary>
    public static string EmperorBinary => Resolve(
        "EMPEROR_BIN",
        [
            Path.Combine(RepoRoot, "artifacts", "emperor", "emperor"),
            .. new[] { "debug", "debug_linux-x64" }
                .Select(pivot => Path.Combine(RepoRoot, ".build", "bin", "Emperor.Cli", pivot, "emperor"))
                .OrderByDescending(File.GetLastWriteTimeUtc),
        ],
        "the emperor binary",
        "build it with `dotnet build src/Emperor.Cli` (or publish it to artifacts/emperor/), or set EMPEROR_BIN to its path");

    /// <summary>The dummy vassal: $TESTVASSAL_BIN, else the debug build under .build/bin/Emperor.TestVassal.</summary>
    public static string TestVassalBinary => Resolve(
        "TESTVASSAL_BIN",
        [Path.Combine(RepoRoot, ".build", "bin", "Emperor.TestVassal", "debug", "testvassal")],
        "the testvassal binary",
        "build it with `dotnet build tests/Emperor.TestVassal` (test projects that reference it build it first), or set TESTVASSAL_BIN to its path");

    private static string Resolve(string variable, string[] candidates, string what, string howToFix)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
        {
            return File.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new FileNotFoundException($"{variable} names {what} at '{fromEnvironment}', but there is no such file.", fromEnvironment);
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Cannot find {what}; looked in {string.Join(", ", candidates.Select(c => $"'{c}'"))}. To fix: {howToFix}.");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emperor.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No folder holding Emperor.slnx above '{AppContext.BaseDirectory}'; run the tests from a checkout of the repository.");
    }
}
