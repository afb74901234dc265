using System.Globalization;

namespace Emperor.Fuzz.Tests.Harness;

/// <summary>The outcome of one campaign on one target.</summary>
internal sealed record FuzzReport(
    string Target,
    int Seed,
    int Seeds,
    long Executions,
    TimeSpan Elapsed,
    int DistinctOutputs,
    TimeSpan Slowest,
    FuzzFailure? Failure)
{
    public string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target}: {Executions} executions in {Elapsed.TotalSeconds:0.0} s ({Executions / Math.Max(Elapsed.TotalSeconds, 0.001):0} /s), {Seeds} seeds, {DistinctOutputs} distinct outputs, slowest input {Slowest.TotalMilliseconds:0} ms, seed {Seed}, {(Failure is null ? "no failure" : Failure.Kind)}");
}
