namespace Emperor.Postgres.Tests;

/// <summary><c>emperor pg-setup CONNINFO</c>: idempotent, keeps an existing uWSGI table as it is, adds the notify trigger.</summary>
public sealed class PgSetupTests(PostgresCluster cluster)
{
    [Fact(Timeout = 60_000)]
    public async Task PgSetup_Twice_OnAnExistingUwsgiTable_AddsTheTriggerAndTheStatusTable_KeepsTheRows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster, setup: false);
        var sql = new Sql(cluster, fleet.Database);
        await cluster.ExecuteAsync(fleet.Database, "CREATE TABLE vassals (name text, config text, ts timestamptz); INSERT INTO vassals VALUES ('a.ini', 'x', now())");
        for (var i = 0; i < 2; i++)
        {
            var (code, output) = await fleet.RunEmperorAsync(ct, "pg-setup", cluster.ConnInfo(fleet.Database));
            Assert.True(code == 0, output);
            Assert.Contains("table vassals (with its notify trigger on channel emperor_vassals) and emperor_status are ready", output, StringComparison.Ordinal);
        }

        Assert.Equal(["name", "config", "ts"], (await sql.RowsAsync("SELECT column_name FROM information_schema.columns WHERE table_name = 'vassals' ORDER BY ordinal_position")).Select(r => r[0]));
        Assert.Equal("1", await sql.ScalarAsync("SELECT count(*) FROM vassals"));
        Assert.Equal("1", await sql.ScalarAsync("SELECT count(*) FROM pg_trigger WHERE tgname = 'emperor_notify' AND tgrelid = 'vassals'::regclass"));
        Assert.Equal("0", await sql.ScalarAsync("SELECT count(*) FROM emperor_status"));

        // Any change notifies the channel.
        await using var listener = await cluster.OpenAsync(fleet.Database);
        string? payload = null;
        listener.Notification += (_, e) => payload = e.Channel + " " + e.Payload;
        await using (var listen = new Npgsql.NpgsqlCommand("LISTEN emperor_vassals", listener))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        await fleet.ExecuteAsync("UPDATE vassals SET config = 'y'");
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(10), ct), "no notification within 10 s");
        Assert.Equal("emperor_vassals UPDATE", payload);
    }

    [Fact(Timeout = 60_000)]
    public async Task PgSetup_PrintsItsSql_AndSaysWhatIsWrongInOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster, setup: false);
        var (printed, sql) = await fleet.RunEmperorAsync(ct, "pg-setup", "--print", "--table", "fleet.vassals");
        Assert.Equal(0, printed);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"fleet\".\"vassals\"", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"emperor_status\"", sql, StringComparison.Ordinal);

        var (badTable, badTableOutput) = await fleet.RunEmperorAsync(ct, "pg-setup", cluster.ConnInfo(fleet.Database), "--table", "x; DROP TABLE y");
        Assert.Equal(2, badTable);
        Assert.Contains("is not a plain table name", badTableOutput, StringComparison.Ordinal);

        var (unreachable, unreachableOutput) = await fleet.RunEmperorAsync(ct, "pg-setup", $"host={cluster.HiddenSocketDirectory} port=1 dbname=x user=postgres");
        Assert.Equal(1, unreachable);
        Assert.Single(unreachableOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("emperor pg-setup: pg://host=", unreachableOutput, StringComparison.Ordinal);

        var (badOption, badOptionOutput) = await fleet.RunEmperorAsync(ct, "pg-setup", "dbname=x nosuch=1");
        Assert.Equal(1, badOption);
        Assert.Contains("unknown connection option \"nosuch\"", badOptionOutput, StringComparison.Ordinal);
    }
}
