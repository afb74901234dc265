namespace Emperor.Fuzz.Tests.Harness;

/// <summary>
/// The starting inputs of a target: its hand-made seeds, the files of Corpus/NAME (copied next to the assembly;
/// seeds and every input that once failed) and the repository files it asks for.
/// </summary>
internal static class FuzzSeeds
{
    /// <summary>Repository folders whose files are config seeds.</summary>
    private static readonly string[] s_repositoryFolders = ["examples/vassals", "tests/Emperor.IntegrationTests/ConfigCorpus"];

    private const int MaxSeedBytes = 64 * 1024;

    public static IReadOnlyList<(string Name, byte[] Bytes)> For(IFuzzTarget target)
    {
        var seeds = new List<(string, byte[])>();
        var n = 0;
        foreach (var seed in target.Seeds)
        {
            seeds.Add(($"builtin#{n++}", seed));
        }

        foreach (var file in CorpusFiles(target.Name))
        {
            seeds.Add(("Corpus/" + target.Name + "/" + Path.GetFileName(file), File.ReadAllBytes(file)));
        }

        if (FindRepoRoot() is { } root)
        {
            foreach (var folder in s_repositoryFolders)
            {
                var dir = Path.Combine(root, folder);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var relative = Path.GetRelativePath(root, file);
                    if (target.UsesRepositoryFile(relative) && new FileInfo(file).Length <= MaxSeedBytes)
                    {
                        seeds.Add((relative, File.ReadAllBytes(file)));
                    }
                }
            }
        }

        return seeds;
    }

    /// <summary>The corpus files of a target, in name order (none when the folder is missing).</summary>
    public static IEnumerable<string> CorpusFiles(string target)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Corpus", target);
        return Directory.Exists(dir) ? Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal) : [];
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emperor.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
