namespace Emperor.Core.Cgroups;

/// <summary>One <c>emperor-cgroup-opt</c> value: KEY=VALUE (or KEY:VALUE, as <c>cgroup-opt</c> takes it).</summary>
internal static class CgroupOption
{
    public static bool TryParse(string text, out KeyValuePair<string, string> option, out string error)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var sep = eq < 0 ? colon : colon < 0 ? eq : Math.Min(eq, colon);
        option = default;
        error = string.Empty;
        if (sep <= 0)
        {
            error = "expected KEY=VALUE, e.g. memory.max=256M";
            return false;
        }

        var key = text[..sep].Trim();
        if (key.Contains('/', StringComparison.Ordinal) || !key.Contains('.', StringComparison.Ordinal))
        {
            error = $"\"{key}\" is not a cgroup controller file (e.g. memory.max, pids.max, cpu.max, cpu.weight)";
            return false;
        }

        option = new(key, text[(sep + 1)..].Trim());
        return true;
    }
}
