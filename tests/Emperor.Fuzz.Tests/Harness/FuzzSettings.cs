using System.Globalization;

namespace Emperor.Fuzz.Tests.Harness;

/// <summary>
/// How long and how: FUZZ_SECONDS (time per target, default 3 so the project stays under a minute),
/// FUZZ_SEED (a number, or "random"; default a fixed seed per target so a CI failure replays),
/// FUZZ_HANG_SECONDS (one input taking longer is a hang, default 10), FUZZ_OUT (where failing inputs are saved).
/// </summary>
internal sealed record FuzzSettings(TimeSpan Budget, int? Seed, TimeSpan HangLimit, string OutputDirectory)
{
    public static FuzzSettings FromEnvironment() => new(
        TimeSpan.FromSeconds(Number("FUZZ_SECONDS", 3)),
        Environment.GetEnvironmentVariable("FUZZ_SEED") switch
        {
            null or "" => null,
            "random" => Random.Shared.Next(),
            var s => int.Parse(s, CultureInfo.InvariantCulture),
        },
        TimeSpan.FromSeconds(Number("FUZZ_HANG_SECONDS", 10)),
        Environment.GetEnvironmentVariable("FUZZ_OUT") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "fuzz-findings"));

    /// <summary>The seed for a target: the given one, or a stable hash of its name (FNV-1a).</summary>
    public int SeedFor(string target)
    {
        if (Seed is { } seed)
        {
            return seed;
        }

        var hash = 2166136261u;
        foreach (var c in target)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private static double Number(string variable, double fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;
}
