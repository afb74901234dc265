using System.Diagnostics;
using System.Globalization;
using Emperor.Core.Stats;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>The pg:// monitor in process, against the real cluster: what Scan returns when, what it says, what it writes.</summary>
public sealed class MonitorTests(PostgresCluster cluster)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(15);

    private async Task<string> DatabaseAsync(string encoding = "UTF8")
    {
        var database = await cluster.CreateDatabaseAsync(encoding);
        var connection = ConnInfo.Parse(cluster.ConnInfo(database), _ => null, "postgres", out var error);
        Assert.True(connection is not null, error);
        await PgSetup.ApplyAsync(connection, "vassals", CancellationToken.None);
        return database;
    }

    private PostgresMonitor Monitor(string database, ListLogger logger, string? socketDirectory = null, string? query = null, TimeSpan? resyncPeriod = null)
    {
        var conninfo = cluster.ConnInfo(database);
        if (socketDirectory is not null)
        {
            conninfo = conninfo.Replace(cluster.SocketDirectory, socketDirectory, StringComparison.Ordinal);
        }

        var source = PgSource.Parse("pg://" + conninfo + ";" + (query ?? Fleet.HostQuery), _ => null, "postgres", out var error);
        Assert.True(source is not null, error);
        return new PostgresMonitor(
            source,
            new PostgresMonitorOptions
            {
                Host = "alpha",
                Rules = new SnapshotRules(false, []),
                ResyncPeriod = resyncPeriod ?? TimeSpan.FromSeconds(1),
                WorkingDirectory = "/",
                MaxBackoff = TimeSpan.FromSeconds(1),
            },
            logger,
            TimeProvider.System);
    }

    private async Task InsertAsync(string database, string name, string config, string host = "alpha")
    {
        await using var connection = await cluster.OpenAsync(database);
        await using var command = new Npgsql.NpgsqlCommand("INSERT INTO vassals (host, name, config) VALUES ($1, $2, $3)", connection);
        command.Parameters.Add(new() { Value = host });
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = config });
        await command.ExecuteNonQueryAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_FindsTheFleet_ThenAnInsertIsPushedWithinASecond_TsAtFullPrecision()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await DatabaseAsync();
        await InsertAsync(database, "a.ini", "[uwsgi]\n");
        await InsertAsync(database, "other.ini", "[uwsgi]\n", host: "beta");
        var logger = new ListLogger();
        using var monitor = Monitor(database, logger);
        var dirty = 0;
        monitor.Start(() => Interlocked.Increment(ref dirty));

        // Start waited for the first resync: the first scan already has the fleet.
        var first = monitor.Scan();
        Assert.NotNull(first);
        Assert.Equal(["a.ini"], first.Keys);
        var ts = (await new Sql(cluster, database).ScalarAsync("SELECT EXTRACT(epoch FROM ts)::text FROM vassals WHERE name = 'a.ini'"))!;
        Assert.Equal((long)(decimal.Parse(ts, CultureInfo.InvariantCulture) * 1_000_000_000m), first["a.ini"].ModifiedNs);
        Assert.Equal("[uwsgi]\n", first["a.ini"].InlineConfig);
        Assert.Contains("1 vassals for host alpha; listening on channel emperor_vassals", logger.ToString(), StringComparison.Ordinal);

        var before = Volatile.Read(ref dirty);
        var clock = Stopwatch.StartNew();
        await InsertAsync(database, "b.ini", "[uwsgi]\n");
        await Wait.UntilAsync(() => Volatile.Read(ref dirty) > before && monitor.Scan()?.ContainsKey("b.ini") == true, s_deadline, "the insert to reach the monitor", ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the insert took {clock.ElapsedMilliseconds} ms to arrive");
    }

    [Fact(Timeout = 60_000)]
    public async Task WithoutTheTrigger_ThePeriodicResyncAloneKeepsFindingChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await DatabaseAsync();
        await cluster.ExecuteAsync(database, "DROP TRIGGER emperor_notify ON vassals");
        var logger = new ListLogger();
        using var monitor = Monitor(database, logger, resyncPeriod: TimeSpan.FromMilliseconds(100));
        monitor.Start(() => { });

        // Many periods in a row, each ending in a wait of (almost) nothing: none may turn into a wait for ever.
        for (var i = 0; i < 20; i++)
        {
            var name = $"p{i}.ini";
            await InsertAsync(database, name, "[uwsgi]\n");
            await Wait.UntilAsync(() => monitor.Scan()?.ContainsKey(name) == true, TimeSpan.FromSeconds(5), $"{name} to be found by a periodic resync", ct);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Outage_ScanIsNullWhileAway_AndAfterReconnectionOnlyTheFreshResync_OneLineEach()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await DatabaseAsync();
        await InsertAsync(database, "a.ini", "[uwsgi]\n");
        await InsertAsync(database, "b.ini", "[uwsgi]\n");
        var logger = new ListLogger();
        using var monitor = Monitor(database, logger);
        monitor.Start(() => { });
        Assert.Equal(["a.ini", "b.ini"], monitor.Scan()!.Keys.Order());

        // Sample what the Emperor's loop would see, all along.
        var samples = new List<string>();
        var gate = new Lock();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var view = monitor.Scan() is { } s ? string.Join(',', s.Keys.Order()) : "null";
                    lock (gate)
                    {
                        if (samples.Count == 0 || samples[^1] != view)
                        {
                            samples.Add(view);
                        }
                    }

                    await Task.Delay(1, ct);
                }
            },
            ct);

        try
        {
            await cluster.StopAsync();
            await Wait.UntilAsync(() => monitor.Scan() is null, s_deadline, "the monitor to notice the outage", ct);

            // Changed meanwhile, where the monitor cannot see it.
            await cluster.StartAsync(hidden: true);
            await cluster.ExecuteAsync(database, "DELETE FROM vassals WHERE name = 'a.ini'");
            await InsertAsync(database, "c.ini", "[uwsgi]\n");
            await cluster.StopAsync();
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

        string[] Samples()
        {
            lock (gate)
            {
                return [.. samples];
            }
        }

        await Wait.UntilAsync(() => Samples() is [.., not "null"] && Samples().Length > 2, s_deadline, "the monitor to reconnect", ct);
        await stop.CancelAsync();
        await sampler;

        // Before the outage, during it, and the fresh view: never the stale one again after it.
        Assert.Equal(["a.ini,b.ini", "null", "b.ini,c.ini"], Samples());
        Assert.Equal(1, logger.Count("cannot read the vassals"));
        Assert.Equal(1, logger.Count("the database is back after"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UnreachableAtStart_StartReturnsPromptly_ScanIsNull_OneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var logger = new ListLogger();
        using var monitor = Monitor("nowhere", logger, socketDirectory: cluster.HiddenSocketDirectory);
        var clock = Stopwatch.StartNew();
        monitor.Start(() => { });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Start blocked {clock.ElapsedMilliseconds} ms");
        Assert.Null(monitor.Scan());
        await Wait.UntilAsync(() => logger.Count("cannot read the vassals") == 1, s_deadline, "the outage line", ct);
        Assert.Contains("Failed to connect", logger.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task BadRows_OneLinePerRowVersion_NotEveryResync()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await DatabaseAsync();
        await cluster.ExecuteAsync(database, "ALTER TABLE vassals ALTER config DROP NOT NULL");
        await InsertAsync(database, "good.ini", "[uwsgi]\n");
        await cluster.ExecuteAsync(database, "INSERT INTO vassals (host, name, config) VALUES ('alpha', 'null.ini', NULL), ('alpha', 'readme.txt', 'x')");
        var logger = new ListLogger();
        using var monitor = Monitor(database, logger);
        monitor.Start(() => { });
        Assert.Equal(["good.ini"], monitor.Scan()!.Keys);

        // Several resyncs later (each insert below is one), still one line each.
        for (var i = 0; i < 3; i++)
        {
            var name = $"later{i}.ini";
            await InsertAsync(database, name, "[uwsgi]\n");
            await Wait.UntilAsync(() => monitor.Scan()?.ContainsKey(name) == true, s_deadline, $"{name} to arrive", ct);
        }

        Assert.Equal(1, logger.Count("row \"null.ini\": the config is NULL; skipped"));
        Assert.Equal(1, logger.Count("row \"readme.txt\": not a vassal name"));

        // A new version of a bad row is news: one more line.
        await cluster.ExecuteAsync(database, "UPDATE vassals SET config = '' WHERE name = 'null.ini'");
        await Wait.UntilAsync(() => logger.Count("row \"null.ini\": the config is empty; skipped") == 1, s_deadline, "the new version's line", ct);
        Assert.Equal(1, logger.Count("row \"null.ini\": the config is NULL"));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReportStatus_IsWrittenByTheBackgroundTask_AndVanishedVassalsArePruned()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await DatabaseAsync();
        var logger = new ListLogger();
        using var monitor = Monitor(database, logger);
        monitor.Start(() => { });
        var sql = new Sql(cluster, database);

        var clock = Stopwatch.StartNew();
        monitor.ReportStatus([Stats("a.ini", 4242, "running", loyal: true, exitCode: 1), Stats("b.ini", -1, "waiting", reason: "blacklisted")]);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), "ReportStatus blocked its caller (the event loop)");
        await Wait.UntilAsync(
            () => sql.Rows("SELECT host, name, pid, state, loyal, last_exit, reason FROM emperor_status ORDER BY name") is [["alpha", "a.ini", "4242", "running", "t", "exit 1", null], ["alpha", "b.ini", null, "waiting", "f", null, "blacklisted"]],
            s_deadline,
            "both status rows",
            ct);

        monitor.ReportStatus([Stats("b.ini", 77, "running")]);
        await Wait.UntilAsync(() => sql.Rows("SELECT name, pid FROM emperor_status") is [["b.ini", "77"]], s_deadline, "a.ini's row to go", ct);
        Assert.Equal(0, logger.Count("cannot write vassal states"));
    }

    private static VassalStats Stats(string id, int pid, string state, bool loyal = false, int? exitCode = null, string reason = "") => new()
    {
        Id = id,
        Pid = pid,
        Born = 0,
        LastMod = 0,
        LastHeartbeat = 0,
        Loyal = loyal ? 1 : 0,
        Ready = 0,
        Accepting = 0,
        LastLoyal = 0,
        LastReady = 0,
        LastAccepting = 0,
        FirstRun = 0,
        LastRun = 0,
        Cursed = 0,
        Zerg = 0,
        OnDemand = string.Empty,
        Uid = 0,
        Gid = 0,
        Monitor = "pg://",
        Respawns = 0,
        State = state,
        Reason = reason,
        Restarts = 0,
        SpeaksProtocol = false,
        LastExitCode = exitCode,
        LastExitSignal = null,
        NextSpawn = null,
        Status = string.Empty,
        Uptime = 0,
    };
}
