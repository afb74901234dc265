using System.Text;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests;

/// <summary>The engine itself finds what it is meant to find: a crash deep in a mutant, a hang, nondeterminism.</summary>
public sealed class HarnessTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "fuzz-harness-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public void Campaign_FindsAndMinimizesACrash()
    {
        var report = FuzzCampaign.Run(new CrashOnNestedBrackets(), Settings(seconds: 20));

        Assert.NotNull(report.Failure);
        Assert.Equal("crash", report.Failure.Kind);
        Assert.Contains("InvalidOperationException", report.Failure.Details, StringComparison.Ordinal);
        Assert.Equal("[[[", Encoding.UTF8.GetString(report.Failure.Minimized));
        Assert.True(File.Exists(report.Failure.SavedTo));
    }

    [Fact]
    public void Campaign_ReportsAHang()
    {
        using var release = new ManualResetEventSlim();
        var report = FuzzCampaign.Run(new HangOnEmpty(release), Settings(seconds: 5, hangSeconds: 1));
        release.Set();

        Assert.NotNull(report.Failure);
        Assert.Equal("hang", report.Failure.Kind);
    }

    [Fact]
    public void Campaign_ReportsNondeterminism()
    {
        var report = FuzzCampaign.Run(new Counter(), Settings(seconds: 5));

        Assert.NotNull(report.Failure);
        Assert.Equal("nondeterministic", report.Failure.Kind);
    }

    [Fact]
    public void Campaign_RunsCleanTargetsForTheirBudget()
    {
        var report = FuzzCampaign.Run(new Echo(), Settings(seconds: 0.5));

        Assert.Null(report.Failure);
        Assert.True(report.Executions > 100, $"{report.Executions} executions");
        Assert.True(report.Elapsed >= TimeSpan.FromSeconds(0.5));
    }

    private FuzzSettings Settings(double seconds, double hangSeconds = 10) =>
        new(TimeSpan.FromSeconds(seconds), 1234, TimeSpan.FromSeconds(hangSeconds), _out);

    private abstract class TestTarget : IFuzzTarget
    {
        public string Name => GetType().Name;

        public virtual IEnumerable<byte[]> Seeds => [Encoding.UTF8.GetBytes("a[b]c")];

        public IReadOnlyList<string> Dictionary => ["[", "]"];

        public bool UsesRepositoryFile(string path) => false;

        public abstract string Run(byte[] input);
    }

    private sealed class CrashOnNestedBrackets : TestTarget
    {
        public override string Run(byte[] input)
        {
            var depth = 0;
            foreach (var b in input)
            {
                depth = b == '[' ? depth + 1 : b == ']' ? Math.Max(0, depth - 1) : depth;
                if (depth == 3)
                {
                    throw new InvalidOperationException("three deep");
                }
            }

            return depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private sealed class HangOnEmpty(ManualResetEventSlim release) : TestTarget
    {
        public override IEnumerable<byte[]> Seeds => [[]];

        public override string Run(byte[] input)
        {
            release.Wait();
            return string.Empty;
        }
    }

    private sealed class Counter : TestTarget
    {
        private int _n;

        public override string Run(byte[] input) => (++_n).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class Echo : TestTarget
    {
        public override string Run(byte[] input) => Convert.ToHexString(input);
    }
}
