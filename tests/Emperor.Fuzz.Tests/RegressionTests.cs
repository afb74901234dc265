using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests;

/// <summary>
/// Every file of Corpus/TARGET/ runs through its target without breaking the contract. Inputs that once failed are
/// kept there (named crash-…, hang-…), so each past finding stays a test of its own; the fix's named test sits in
/// the project of the code that was fixed.
/// </summary>
public sealed class RegressionTests
{
    public static TheoryData<string, string> CorpusFiles =>
    [
        .. FuzzTargets.All.SelectMany(t => FuzzSeeds.CorpusFiles(t.Name).Select(f => (t.Name, Path.GetFileName(f)))),
    ];

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void CorpusFile_KeepsTheContract(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", target, file));
        var fuzzTarget = FuzzTargets.Find(target)!;

        var signature = FuzzCampaign.Signature(fuzzTarget, input);

        Assert.Null(signature);
        Assert.Equal(fuzzTarget.Run(input), fuzzTarget.Run(input));
    }

    [Fact]
    public void Corpus_HasAFolderForEveryTarget()
    {
        Assert.All(FuzzTargets.All, t => Assert.NotEmpty(FuzzSeeds.CorpusFiles(t.Name)));
    }
}
