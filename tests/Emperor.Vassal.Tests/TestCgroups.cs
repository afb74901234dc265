using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// Throw-away cgroup paths for one test, under the hierarchies this machine mounts (found in /proc/self/mountinfo:
/// the cgroup2 mount, and the v1 mount with a given controller). Dispose removes what exists, after killing whatever a
/// failed test left inside (only processes this test started can be there).
/// </summary>
internal sealed class TestCgroups : IDisposable
{
    private readonly List<string> _paths = [];
    private readonly string _name = "emperor-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The cgroup2 mount point, or null.</summary>
    public static string? V2Root => Mounts().FirstOrDefault(m => m.Type == "cgroup2").Point;

    /// <summary>The v1 mount point carrying <paramref name="controller"/>, or null.</summary>
    public static string? V1Root(string controller) =>
        Mounts().FirstOrDefault(m => m.Type == "cgroup" && m.Options.Split(',').Contains(controller)).Point;

    /// <summary>A new (not yet created) cgroup path under <paramref name="root"/>; removed on dispose.</summary>
    public string Under(string root)
    {
        var path = Path.Combine(root, _name);
        _paths.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _paths.Where(Directory.Exists))
        {
            foreach (var pid in File.ReadAllLines(Path.Combine(path, "cgroup.procs")))
            {
                ProcessTree.Kill(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), 9);
            }

            // A killed process leaves its cgroup when it is reaped; rmdir says EBUSY until then.
            Wait.Until(() => TryRemove(path), Deadlines.Child, $"removal of {path}");
        }
    }

    private static bool TryRemove(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IEnumerable<(string Point, string Type, string Options)> Mounts() =>
        File.ReadAllLines("/proc/self/mountinfo").Select(line =>
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            return (fields[4], fields[dash + 1], fields[dash + 3]);
        });
}
