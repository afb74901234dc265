using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// The database going away never stops a running vassal: the Emperor keeps them, logs the outage once, reconnects
/// with backoff, resyncs, and only then applies what changed meanwhile (removals included).
/// </summary>
public sealed class OutageTests(PostgresCluster cluster)
{
    private static readonly TimeSpan s_outage = TimeSpan.FromSeconds(10);

    /// <summary>After the outage the next reconnection attempt may be one backoff step (≤ 10 s) away.</summary>
    private static readonly TimeSpan s_recovery = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 120_000)]
    public async Task DatabaseStoppedForTenSeconds_NoVassalStops_ChangesMadeMeanwhileApplyOnceItIsBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster);
        var alpha = await fleet.StartEmperorAsync("alpha");
        foreach (var name in new[] { "a.ini", "b.ini", "c.ini" })
        {
            await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ('alpha', $1, $2)", name, Fleet.SleepConfig(name));
        }

        var a = await alpha.WaitForRunningAsync("a.ini", s_deadline);
        var b = await alpha.WaitForRunningAsync("b.ini", s_deadline);
        var c = await alpha.WaitForRunningAsync("c.ini", s_deadline);
        var outageStart = EmperorHost.Clock.Elapsed;
        try
        {
            await cluster.StopAsync();
            await Wait.UntilAsync(() => alpha.Contains("cannot read the vassals"), s_deadline, "the Emperor to notice the outage", ct);

            // Meanwhile the fleet's administrators change rows, where this Emperor cannot reach the database.
            await cluster.StartAsync(hidden: true);
            await fleet.ExecuteAsync("DELETE FROM vassals WHERE name = 'a.ini'");
            await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE name = 'b.ini'", Fleet.SleepConfig("b2"));
            await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ('alpha', 'd.ini', $1)", Fleet.SleepConfig("d"));
            await cluster.StopAsync();

            // The rest of the 10 s: every vassal keeps running, and the Emperor still lists them all as running.
            while (EmperorHost.Clock.Elapsed - outageStart < s_outage)
            {
                Assert.True(ProcessTree.IsRunning(a) && ProcessTree.IsRunning(b) && ProcessTree.IsRunning(c), $"a vassal died during the outage.{alpha.Tail()}");
                var stats = await alpha.VassalsAsync();
                Assert.True(
                    stats.Count == 3 && stats.Values.All(v => v.State == "running"),
                    $"the Emperor changed its vassals during the outage: {string.Join(", ", stats.Select(kv => $"{kv.Key} {kv.Value.State}"))}");
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
        finally
        {
            if (cluster.ListeningOn is not null && cluster.ListeningOn != cluster.SocketDirectory)
            {
                await cluster.StopAsync();
            }

            if (cluster.ListeningOn is null)
            {
                await cluster.StartAsync();
            }
        }

        // Back: the removal, the reload and the addition made meanwhile are applied; c.ini was never touched.
        await Wait.UntilAsync(() => alpha.Contains("the database is back after"), s_recovery, "the Emperor to reconnect", ct);
        await alpha.WaitForGoneAsync("a.ini", s_deadline);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(a), s_deadline, "a.ini's process to exit", ct);
        await alpha.WaitForRunningAsync("b.ini", s_deadline, pid => pid != b);
        await alpha.WaitForRunningAsync("d.ini", s_deadline);
        Assert.Equal(c, await alpha.WaitForRunningAsync("c.ini", s_deadline));
        Assert.Equal(1, alpha.Count("cannot read the vassals"));
        Assert.Equal(1, alpha.Count("the database is back after"));

        // Nothing was stopped before the database came back.
        var back = alpha.FirstAt("the database is back after")!.Value;
        Assert.True(alpha.FirstAt("stop the uwsgi instance a.ini") >= back, $"a.ini was stopped before the resync.{alpha.Tail()}");
    }
}
