namespace Emperor.Unix.Tests;

/// <summary>The kernel's own view of a process, to cross-check what testvassal reports.</summary>
internal static class ProcStatus
{
    /// <summary>A field of /proc/PID/status, e.g. "Umask" or "Uid" (tab-separated values).</summary>
    public static string Field(int pid, string name)
    {
        var prefix = name + ":";
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..].Trim();
    }

    /// <summary>The first value of a multi-value field ("Uid: real effective saved fs").</summary>
    public static int First(int pid, string name) => int.Parse(Field(pid, name).Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The hard limit column of /proc/PID/limits for a line such as "Max open files".</summary>
    public static string HardLimit(int pid, string title)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith(title, StringComparison.Ordinal));
        return line[title.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    }
}
