using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// Two Emperors with different host names share one database (the acceptance scenario): rows inserted,
/// updated and deleted spawn, reload and stop vassals on the right host only, each within 1 s of the change, and
/// each Emperor writes its vassals' states back.
/// </summary>
public sealed class FleetTests(PostgresCluster cluster)
{
    /// <summary>The bound for change → effect.</summary>
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(1);

    /// <summary>Generous deadlines for waiting; the bound above is asserted on measured times.</summary>
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 90_000)]
    public async Task TwoEmperors_InsertUpdateDelete_ActOnTheRightHostOnly_EachWithinOneSecond()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster);
        var alpha = await fleet.StartEmperorAsync("alpha");
        var beta = await fleet.StartEmperorAsync("beta");
        await Wait.UntilAsync(() => alpha.Contains("0 vassals for host alpha") && beta.Contains("0 vassals for host beta"), s_deadline, "both Emperors to sync", ct);

        // INSERT: one row for each host in one transaction; each spawns on its own host only.
        var t0 = EmperorHost.Clock.Elapsed;
        await fleet.ExecuteAsync(
            "INSERT INTO vassals (host, name, config) VALUES ('alpha', 'x.ini', $1), ('beta', 'y.ini', $2)",
            Fleet.ProtocolConfig("x1"),
            Fleet.SleepConfig("y1"));
        var x1 = await alpha.WaitForRunningAsync("x.ini", s_deadline);
        var y1 = await beta.WaitForRunningAsync("y.ini", s_deadline);
        AssertWithin(alpha, "vassal x.ini has been spawned", t0);
        AssertWithin(beta, "vassal y.ini has been spawned", t0);
        Assert.False((await alpha.VassalsAsync()).ContainsKey("y.ini"), "alpha runs beta's vassal");
        Assert.False((await beta.VassalsAsync()).ContainsKey("x.ini"), "beta runs alpha's vassal");
        Assert.False(alpha.Contains("y.ini"), "alpha mentions beta's vassal");
        Assert.False(beta.Contains("x.ini"), "beta mentions alpha's vassal");

        // UPDATE of x.ini's config: alpha reloads it — the reload byte, and the vassal (speaking the protocol, as a
        // uWSGI master does) re-executes in place, keeping its pid; beta's vassal is untouched.
        await Wait.UntilAsync(() => alpha.Count("vassal x.ini has been spawned") >= 2, s_deadline, "x.ini to speak the protocol (byte 1: spawned)", ct);
        var t1 = EmperorHost.Clock.Elapsed;
        await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE host = 'alpha' AND name = 'x.ini'", Fleet.ProtocolConfig("x2"));
        await Wait.UntilAsync(() => alpha.FirstAt("testvassal: received byte 1", t1) is not null, s_deadline, "x.ini to receive the reload byte", ct);
        AssertWithin(alpha, "reload the uwsgi instance x.ini (config changed)", t1);
        AssertWithin(alpha, "testvassal: received byte 1", t1);
        Assert.Equal(x1, await alpha.WaitForRunningAsync("x.ini", s_deadline));
        Assert.Equal(y1, (await beta.VassalsAsync())["y.ini"].Pid);
        Assert.False(beta.Contains("received byte 1"), "beta's vassal was reloaded");
        var x2 = x1;

        // DELETE of y.ini: beta stops it; alpha's vassal is untouched.
        var t2 = EmperorHost.Clock.Elapsed;
        await fleet.ExecuteAsync("DELETE FROM vassals WHERE host = 'beta' AND name = 'y.ini'");
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(y1), s_deadline, "y.ini's process to exit", ct);
        var stoppedAfter = EmperorHost.Clock.Elapsed - t2;
        Assert.True(stoppedAfter < s_bound, $"y.ini stopped {stoppedAfter.TotalMilliseconds:0} ms after the DELETE.{beta.Tail()}");
        await beta.WaitForGoneAsync("y.ini", s_deadline);
        Assert.Equal(x2, (await alpha.VassalsAsync())["x.ini"].Pid);

        // Write-back: one SELECT shows the fleet — x.ini running on alpha with its pid; beta has nothing left.
        await alpha.UntilAsync(
            async () =>
            {
                var rows = await fleet.QueryAsync("SELECT host, name, state, pid, loyal, restarts FROM emperor_status ORDER BY host, name");
                return rows.Count == 1 && rows[0] is ["alpha", "x.ini", "running", var pid, "f", _] && pid == x2.ToString(System.Globalization.CultureInfo.InvariantCulture);
            },
            s_deadline,
            "emperor_status to show exactly x.ini running on alpha");

        // A clean stop marks the host's rows stopped.
        await alpha.StopAsync();
        var after = await fleet.QueryAsync("SELECT state, pid FROM emperor_status WHERE host = 'alpha'");
        Assert.Equal(["stopped", null], Assert.Single(after));
    }

    private static void AssertWithin(EmperorHost host, string line, TimeSpan since)
    {
        var at = host.FirstAt(line, since);
        Assert.True(at is not null, $"no '{line}' on {host.Name}.{host.Tail()}");
        Assert.True(at - since < s_bound, $"'{line}' came {(at - since)!.Value.TotalMilliseconds:0} ms after the change (bound {s_bound.TotalMilliseconds} ms).{host.Tail()}");
    }
}
