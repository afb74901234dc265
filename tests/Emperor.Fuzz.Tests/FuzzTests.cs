using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests;

/// <summary>
/// The smoke run of the test command: every target for FUZZ_SECONDS (default 3) on its seeds, corpus and mutants
/// (bench/fuzz/run is the long mode: the same tests with more seconds, and AFL++).
/// A failure names the saved input and shows it minimized; put it in Corpus/TARGET/ (it is replayed from then on)
/// and add a named test for the fix.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_KeepsItsContractOnMutatedInput(string name)
    {
        // bench/fuzz/run picks targets with FUZZ_TARGETS (space-separated); the test command runs them all.
        var only = Environment.GetEnvironmentVariable("FUZZ_TARGETS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.SkipWhen(only is { Length: > 0 } && !only.Contains(name), $"FUZZ_TARGETS does not name {name}");
        var target = FuzzTargets.Find(name)!;
        var report = FuzzCampaign.Run(target, FuzzSettings.FromEnvironment());
        output.WriteLine(report.Summary);
        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllLines(file, [report.Summary]);
        }

        Assert.True(report.Failure is null, report.Failure?.ToString());
        Assert.True(report.Executions > report.Seeds, $"only {report.Executions} executions for {report.Seeds} seeds");
    }

    [Fact]
    public void Registry_HasEveryTargetOnceWithSeeds()
    {
        Assert.Equal(FuzzTargets.All.Count, FuzzTargets.All.Select(t => t.Name).Distinct().Count());
        Assert.Contains(FuzzTargets.All, t => t.Name == "loader");
        Assert.All(FuzzTargets.All, t => Assert.NotEmpty(t.Seeds));
    }
}
