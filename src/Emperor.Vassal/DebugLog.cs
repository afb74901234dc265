namespace Emperor.Vassal;

/// <summary>
/// The vassal role's debug lines, on stderr when <c>EMPEROR_LOG_LEVEL=debug</c> is in its environment (an Emperor
/// started with it passes it on to every vassal). Off by default, so the failure contract (exactly one line) holds.
/// </summary>
internal static class DebugLog
{
    public static bool Enabled { get; } =
        string.Equals(Environment.GetEnvironmentVariable("EMPEROR_LOG_LEVEL"), "debug", StringComparison.OrdinalIgnoreCase);

    /// <summary>uWSGI app-server options a binary patch makes moot: named once, in one line.</summary>
    public static void Ignored(string vassal, IReadOnlyList<string> options)
    {
        if (Enabled && options.Count > 0)
        {
            Console.Error.WriteLine($"emperor: vassal {vassal}: ignored for a binary patch (read only by uWSGI's app server): {string.Join(", ", options)}");
        }
    }

    public static void Line(string vassal, string message)
    {
        if (Enabled)
        {
            Console.Error.WriteLine($"emperor: vassal {vassal}: {message}");
        }
    }
}
