using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests;

/// <summary>
/// The smoke run of the test command: every target for FUZZ_SECONDS (default 3) on its seeds, corpus and mutants.
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
