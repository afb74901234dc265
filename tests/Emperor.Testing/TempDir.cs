namespace Emperor.Testing;

/// <summary>
/// A fresh directory <c>/tmp/emperor-test-[purpose-]RANDOM</c>, deleted recursively on dispose.
/// Always under /tmp (not $TMPDIR) so paths stay short enough for AF_UNIX socket names (108 bytes)
/// and leftovers are easy to spot.
/// </summary>
public sealed class TempDir : IDisposable
{
    public const string Prefix = "emperor-test-";

    private bool _disposed;

    public TempDir(string? purpose = null)
    {
        var stem = "/tmp/" + Prefix + (string.IsNullOrEmpty(purpose) ? "" : purpose + "-");
        string path;
        do
        {
            path = stem + Guid.NewGuid().ToString("N")[..12];
        }
        while (Directory.Exists(path));

        Path = Directory.CreateDirectory(path).FullName;
    }

    public string Path { get; }

    /// <summary>The absolute path of <paramref name="relative"/> inside this directory.</summary>
    public string Combine(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a file (creating parent folders) and returns its absolute path.</summary>
    public string WriteFile(string relative, string contents)
    {
        var path = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return path;
    }

    public override string ToString() => Path;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // A child that is still being killed may create a file while we delete; retry briefly.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(20 * attempt);
            }
        }
    }
}
