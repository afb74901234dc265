using Emperor.Core.Emperor;
using Emperor.Hosting.Monitors;
using Emperor.Testing;
using Emperor.Unix.FileSystem;

namespace Emperor.Monitors.Tests;

/// <summary>
/// dir:// scans of real files holding many vassals: one entry per listed section with the file's owner (tyrant mode),
/// stamps that move only for the sections an edit changed, an ordinary file left as one vassal.
/// </summary>
public sealed class MultiVassalScanTests : IDisposable
{
    private readonly TempDir _dir = new("multiscan");
    private readonly ListLogger _log = new();

    [Fact]
    public void EverySection_IsOwnedByTheFilesOwner_ForTyrantMode()
    {
        var file = _dir.WriteFile("sites.ini", "[emperor]\nvassals = *\n[a]\nx = 1\n[b]\nx = 2\n");
        _dir.WriteFile("plain.ini", "[uwsgi]\nx = 1\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Equal(0, Chown(file, 4321, 4322));
        using var monitor = Monitor();
        var scan = monitor.Scan()!;
        Assert.Equal(["plain.ini", "sites.ini:a", "sites.ini:b"], scan.Keys.Order(StringComparer.Ordinal));
        Assert.All(new[] { "sites.ini:a", "sites.ini:b" }, n => Assert.Equal((4321, 4322, file), (scan[n].Uid, scan[n].Gid, scan[n].Path)));
    }

    [Fact]
    public void AnEdit_MovesTheStampOfTheChangedSectionOnly_AndAProblemIsSaidOnce()
    {
        var file = _dir.WriteFile("sites.ini", "[emperor]\nvassals = a b ghost\n[a]\nx = 1\n[b]\nx = 2\n");
        using var monitor = Monitor();
        var first = monitor.Scan()!;
        File.WriteAllText(file, "[emperor]\nvassals = a b ghost\n[a]\nx = 1\n[b]\nx = 3\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        var second = monitor.Scan()!;
        Assert.Equal(first["sites.ini:a"].ModifiedNs, second["sites.ini:a"].ModifiedNs);
        Assert.NotEqual(first["sites.ini:b"].ModifiedNs, second["sites.ini:b"].ModifiedNs);
        Assert.False(second.ContainsKey("sites.ini:ghost"));

        // Unchanged file: not read again, nothing said again.
        monitor.Scan();
        Assert.Equal(2, _log.Count("lists the vassal \"ghost\" but the file has no such section"));
    }

    public void Dispose() => _dir.Dispose();

    private DirectoryMonitor Monitor() => new(_dir.Path, UnixFileSystem.Instance, new EmperorSettings(), _log);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);

    private static int Chown(string path, int uid, int gid) => chown(path, uid, gid);
}
