namespace Emperor.IntegrationTests;

/// <summary>Finds the repository (the folder holding Emperor.slnx) and the built emperor binary.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>EMPEROR_BIN, else artifacts/emperor/emperor, else .build/bin/Emperor.Cli/debug/emperor.</summary>
    public static string EmperorBinary()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("EMPEROR_BIN") is { Length: > 0 } fromEnvironment)
        {
            candidates.Add(fromEnvironment);
        }

        candidates.Add(Path.Combine(Root, "artifacts", "emperor", "emperor"));
        candidates.Add(Path.Combine(Root, ".build", "bin", "Emperor.Cli", "debug", "emperor"));
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The emperor binary was not found; looked at: " + string.Join(", ", candidates)
            + ". Build it with `dotnet build src/Emperor.Cli` or point EMPEROR_BIN at it.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emperor.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Emperor.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
