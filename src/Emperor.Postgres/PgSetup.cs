using System.Text.RegularExpressions;
using Npgsql;

namespace Emperor.Postgres;

/// <summary>
/// <c>emperor pg-setup CONNINFO [--table NAME]</c>: what a database needs for a fleet, idempotent (run it again after
/// an upgrade): the vassals table if there is none (uWSGI's columns plus host, uid, gid, socket; an existing table is
/// left as it is), the trigger that notifies the Emperors of every change, and the status table they write to.
/// The same text is in docs/postgres.md.
/// </summary>
internal static partial class PgSetup
{
    /// <summary>The SQL for <paramref name="table"/> (a plain or schema-qualified name, already validated).</summary>
    public static string Script(string table, string channel = PostgresMonitorOptions.DefaultChannel, string statusTable = PostgresMonitorOptions.DefaultStatusTable)
    {
        var t = PostgresMonitor.QuoteIdentifier(table);
        var s = PostgresMonitor.QuoteIdentifier(statusTable);
        var trigger = "\"emperor_notify\"";
        return $"""
            -- The fleet's vassals: one row per vassal and host. uWSGI's emperor_pg reads name, config and ts.
            CREATE TABLE IF NOT EXISTS {t} (
                host   text        NOT NULL DEFAULT '',
                name   text        NOT NULL,
                config text        NOT NULL,
                ts     timestamptz NOT NULL DEFAULT now(),
                uid    integer,
                gid    integer,
                socket text,
                PRIMARY KEY (host, name)
            );

            -- Every change (INSERT, UPDATE, DELETE, TRUNCATE; one notification per statement) wakes every Emperor,
            -- which then runs its query again. The payload is informative only.
            CREATE OR REPLACE FUNCTION emperor_vassals_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{channel}', TG_OP);
                RETURN NULL;
            END
            $$;
            DROP TRIGGER IF EXISTS {trigger} ON {t};
            CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t}
                FOR EACH STATEMENT EXECUTE PROCEDURE emperor_vassals_notify();

            -- What each Emperor runs: one row per host and vassal, rewritten every --emperor-freq.
            CREATE TABLE IF NOT EXISTS {s} (
                host       text        NOT NULL,
                name       text        NOT NULL,
                pid        integer,
                state      text        NOT NULL,
                loyal      boolean     NOT NULL,
                restarts   integer     NOT NULL,
                last_exit  text,
                reason     text,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (host, name)
            );
            """;
    }

    /// <summary>A table name pg-setup accepts: <c>name</c> or <c>schema.name</c>, plain identifiers.</summary>
    public static bool IsValidTableName(string table) => TableName().IsMatch(table);

    /// <summary>Runs <see cref="Script"/> in one transaction.</summary>
    public static async Task ApplyAsync(NpgsqlConnectionStringBuilder connection, string table, CancellationToken ct)
    {
        var settings = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false };
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "emperor pg-setup";
        }

        await using var dataSource = new NpgsqlSlimDataSourceBuilder(settings.ConnectionString).Build();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand(Script(table), db, tx))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex TableName();
}
