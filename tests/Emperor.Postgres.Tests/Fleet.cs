using Emperor.Testing;
using Npgsql;

namespace Emperor.Postgres.Tests;

/// <summary>
/// One test's fleet: its own database in the shared cluster (prepared by the real <c>emperor pg-setup</c>), a temp
/// dir, a leak guard, and the Emperors it starts. Disposing kills every Emperor and checks that nothing they started
/// is left.
/// </summary>
internal sealed class Fleet : IAsyncDisposable
{
    /// <summary>Each Emperor picks its rows by the host it was given (<c>--emperor-pg-host</c>), as docs/postgres.md shows.</summary>
    public const string HostQuery = "SELECT name, config, EXTRACT(epoch FROM ts) FROM vassals WHERE host = current_setting('emperor.host')";

    private readonly List<EmperorHost> _hosts = [];

    private Fleet(PostgresCluster cluster, string database)
    {
        Cluster = cluster;
        Database = database;
    }

    public PostgresCluster Cluster { get; }

    public string Database { get; }

    public LeakGuard Guard { get; } = new();

    public TempDir Dir { get; } = new("pgfleet");

    public static async Task<Fleet> CreateAsync(PostgresCluster cluster, bool setup = true, string encoding = "UTF8")
    {
        var fleet = new Fleet(cluster, await cluster.CreateDatabaseAsync(encoding));
        if (setup)
        {
            var (code, output) = await fleet.RunEmperorAsync(CancellationToken.None, "pg-setup", cluster.ConnInfo(fleet.Database));
            Assert.True(code == 0, $"emperor pg-setup failed ({code}): {output}");
        }

        return fleet;
    }

    /// <summary>The <c>--emperor</c> value for this fleet's database.</summary>
    public string Source(string query = HostQuery) => "pg://" + Cluster.ConnInfo(Database) + ";" + query;

    /// <summary>Starts an Emperor for host <paramref name="host"/> (resync every second, so the tests see write-back soon).</summary>
    public async Task<EmperorHost> StartEmperorAsync(string host, string? query = null, params string[] extra)
    {
        var emperor = await EmperorHost.StartAsync(Guard, host, Source(query ?? HostQuery), Dir.Path, ["--emperor-freq", "1", .. extra]);
        _hosts.Add(emperor);
        return emperor;
    }

    /// <summary>Runs SQL with positional parameters ($1, $2, …) in this fleet's database.</summary>
    public async Task<int> ExecuteAsync(string sql, params object?[] parameters)
    {
        await using var connection = await Cluster.OpenAsync(Database);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Rows of a query, every column as text (null for NULL).</summary>
    public async Task<List<string?[]>> QueryAsync(string sql, params object?[] parameters)
    {
        await using var connection = await Cluster.OpenAsync(Database);
        await using var command = new NpgsqlCommand(sql, connection) { AllResultTypesAreUnknown = true };
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A vassal of our vassal role that runs <c>sleep</c>; a different <paramref name="tag"/> is a different config.</summary>
    public static string SleepConfig(string tag) =>
        $"[uwsgi]\nenv = FLEET_TAG={tag}\nunprivileged-binary-patch-arg = exec sleep 600\n";

    /// <summary>
    /// A vassal that speaks the emperor protocol (testvassal: byte 1 when up, re-exec in place on a reload byte, as a
    /// uWSGI master does); a different <paramref name="tag"/> is a different config.
    /// </summary>
    public static string ProtocolConfig(string tag) =>
        $"[uwsgi]\nenv = FLEET_TAG={tag}\nunprivileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --protocol --send 1\n";

    /// <summary>Runs the emperor binary to completion (a subcommand); returns its exit code and output.</summary>
    public async Task<(int Code, string Output)> RunEmperorAsync(CancellationToken ct, params string[] arguments)
    {
        await using var process = TestProcess.Start(Guard, TestPaths.EmperorBinary, arguments, workingDirectory: Dir.Path);
        var code = await process.WaitForExitAndOutputAsync(TimeSpan.FromSeconds(60), ct);
        return (code, process.Text);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The real way out: SIGTERM, Ragnarok, every vassal stopped and reaped; SIGKILL only if that fails.
            foreach (var host in _hosts)
            {
                try
                {
                    await host.StopAsync();
                }
                catch (TimeoutException)
                {
                    // Dispose kills it; the guard then reports whatever it left.
                }

                await host.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await Guard.DisposeAsync();
            }
            finally
            {
                Dir.Dispose();
            }
        }
    }
}
