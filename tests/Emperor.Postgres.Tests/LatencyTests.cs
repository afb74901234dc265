using System.Globalization;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// Change-to-spawn latency across two Emperors: from just before an INSERT commits to the spawn line of the Emperor
/// whose row it is, over 50 inserts alternating between the hosts. uWSGI's emperor_pg polls every 3 s (a new
/// connection per scan): its latency is spread over 0–3 s, median about 1.5 s. The figures are written to the test
/// output; the only bound asserted is the issue's 1 s, on the median.
/// </summary>
public sealed class LatencyTests(PostgresCluster cluster)
{
    private const int Inserts = 50;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 120_000)]
    public async Task ChangeToSpawn_AcrossTwoEmperors_MedianAndP99()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster);
        var alpha = await fleet.StartEmperorAsync("alpha");
        var beta = await fleet.StartEmperorAsync("beta");
        await Wait.UntilAsync(() => alpha.Contains("vassals for host alpha") && beta.Contains("vassals for host beta"), s_deadline, "both Emperors to sync", ct);

        var latencies = new List<double>();
        for (var i = 0; i < Inserts; i++)
        {
            var host = i % 2 == 0 ? alpha : beta;
            var name = $"l{i.ToString("00", CultureInfo.InvariantCulture)}.ini";
            var t0 = EmperorHost.Clock.Elapsed;
            await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ($1, $2, $3)", host.Name, name, Fleet.SleepConfig(name));
            TimeSpan? at = null;
            await Wait.UntilAsync(() => (at = host.FirstAt($"vassal {name} has been spawned (pid", t0)) is not null, s_deadline, $"{name} to spawn on {host.Name}", ct);
            latencies.Add((at!.Value - t0).TotalMilliseconds);
        }

        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"pg:// change-to-spawn latency over {Inserts} inserts across 2 Emperors: median {Percentile(0.5):0.0} ms, p95 {Percentile(0.95):0.0} ms, p99 {Percentile(0.99):0.0} ms, min {latencies[0]:0.0} ms, max {latencies[^1]:0.0} ms (uWSGI emperor_pg: a 3 s poll, median ~1500 ms, p99 ~2970 ms)");
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(Percentile(0.5) < 1000, summary);
    }
}
