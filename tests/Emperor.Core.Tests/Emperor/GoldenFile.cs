namespace Emperor.Core.Tests.Emperor;

/// <summary>
/// Text committed to the repository that generated output must equal. EMPEROR_UPDATE_GOLDEN=1 rewrites the
/// files instead (then review the diff and commit it); without it a difference fails the test.
/// </summary>
internal static class GoldenFile
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emperor.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Emperor.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    });

    public static string RepositoryPath(string relative) => Path.Combine(s_root.Value, relative);

    public static void AssertEqual(string relative, string actual)
    {
        var path = RepositoryPath(relative);
        if (Environment.GetEnvironmentVariable("EMPEROR_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{relative} is missing; run the tests once with EMPEROR_UPDATE_GOLDEN=1 and commit it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
