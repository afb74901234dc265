namespace Emperor.Vassal.Tests;

/// <summary>
/// A small shell-script program for jail tests: it writes what it sees (ids, its network namespace and interfaces,
/// capabilities, argv) as key=value lines to a report file, atomically, and exits 0.
/// </summary>
internal static class ScriptApp
{
    /// <summary>Writes the script into <paramref name="box"/> (mode 755) and returns its path.</summary>
    public static string Write(Sandbox box, string name = "myfunnyserver", string extra = "")
    {
        var report = box.Report;
        var path = box.Dir.WriteFile(name, $$"""
            #!/bin/sh
            {
              echo "uid=$(id -u)"
              echo "gid=$(id -g)"
              echo "netns=$(readlink /proc/self/ns/net)"
              echo "utsns=$(readlink /proc/self/ns/uts)"
              echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | paste -sd, -)"
              echo "capeff=$(grep CapEff /proc/self/status | cut -f2)"
              echo "capamb=$(grep CapAmb /proc/self/status | cut -f2)"
              echo "argv=$0 $*"
              {{extra}}
            } > {{report}}.tmp && mv {{report}}.tmp {{report}}
            """ + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return path;
    }

    /// <summary>The report as a dictionary, or null while it is not there.</summary>
    public static Dictionary<string, string>? TryRead(string report) =>
        File.Exists(report)
            ? File.ReadAllLines(report).Where(l => l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
            : null;
}
