using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// A throw-away <c>--emperor-cgroup DIR</c> under this machine's cgroup2 mount, and the same path in every v1
/// hierarchy (where a hybrid host's Emperor puts memory, pids and cpu). Dispose kills whatever a failed test left in
/// it (only processes of this test can be there) and removes it, children first.
/// </summary>
internal sealed class TestCgroupDir : IDisposable
{
    private TestCgroupDir(string v2Root, IReadOnlyList<string> v1Roots, string name)
    {
        Relative = "/" + name;
        Path = v2Root + Relative;
        Roots = [v2Root, .. v1Roots];
    }

    /// <summary>DIR in the v2 hierarchy: what the test passes to --emperor-cgroup.</summary>
    public string Path { get; }

    /// <summary>DIR inside each hierarchy ("/emperor-test-…"), as /proc/PID/cgroup names it.</summary>
    public string Relative { get; }

    /// <summary>Every cgroup mount point (v2 first).</summary>
    public IReadOnlyList<string> Roots { get; }

    public static TestCgroupDir Create()
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(line =>
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            return (Point: fields[4], Type: fields[dash + 1]);
        }).ToList();
        var v2 = mounts.FirstOrDefault(m => m.Type == "cgroup2").Point
            ?? throw new InvalidOperationException("no cgroup2 mount in /proc/self/mountinfo (these tests need this machine's cgroups)");
        return new TestCgroupDir(v2, mounts.Where(m => m.Type == "cgroup").Select(m => m.Point).ToList(), "emperor-test-" + Guid.NewGuid().ToString("N")[..12]);
    }

    /// <summary>The vassal's cgroup in hierarchy <paramref name="root"/>.</summary>
    public string In(string root, string vassal) => root + Relative + "/" + vassal;

    /// <summary>Whether any hierarchy still has the vassal's cgroup.</summary>
    public bool AnyLeft(string vassal) => Roots.Any(r => Directory.Exists(In(r, vassal)));

    public void Dispose()
    {
        foreach (var root in Roots)
        {
            var dir = root + Relative;
            if (!Directory.Exists(dir))
            {
                continue;
            }

            var children = Directory.GetDirectories(dir);
            foreach (var cgroup in children.Append(dir))
            {
                foreach (var pid in File.ReadAllLines(System.IO.Path.Combine(cgroup, "cgroup.procs")))
                {
                    ProcessTree.Kill(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), 9);
                }
            }

            // A killed process leaves its cgroup when it is reaped; rmdir says EBUSY until then.
            foreach (var cgroup in children.Append(dir))
            {
                Wait.Until(() => TryRemove(cgroup), Deadlines.Child, $"removal of {cgroup}");
            }
        }
    }

    private static bool TryRemove(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
