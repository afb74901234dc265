using Emperor.Postgres;
using Npgsql;

namespace Emperor.Cli;

/// <summary>
/// <c>emperor pg-setup CONNINFO [--table NAME] [--print]</c>: prepares a PostgreSQL database for a pg:// fleet (the
/// vassals table if missing, the notify trigger, the status table; docs/postgres.md). CONNINFO is what follows
/// <c>pg://</c> in <c>--emperor</c> (a <c>pg://…;QUERY</c> value is accepted as is). <c>--print</c> only prints the SQL.
/// </summary>
internal static class PgSetupCommand
{
    public const string Verb = "pg-setup";

    private const string Usage = "usage: emperor pg-setup CONNINFO [--table NAME] [--print]   (CONNINFO: libpq keywords or a postgresql:// URI)";

    public static int Run(string[] args)
    {
        string? conninfo = null;
        var table = "vassals";
        var print = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--table" when i + 1 < args.Length:
                    table = args[++i];
                    break;
                case "--print":
                    print = true;
                    break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case var a when !a.StartsWith("--", StringComparison.Ordinal) && conninfo is null:
                    conninfo = a;
                    break;
                default:
                    Console.Error.WriteLine($"emperor pg-setup: unexpected argument \"{args[i]}\"");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (!PgSetup.IsValidTableName(table))
        {
            Console.Error.WriteLine($"emperor pg-setup: --table \"{table}\" is not a plain table name (name or schema.name)");
            return 2;
        }

        if (print)
        {
            Console.WriteLine(PgSetup.Script(table));
            return 0;
        }

        if (conninfo is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var source = PgSource.Parse(conninfo, Environment.GetEnvironmentVariable, Environment.UserName, out var error);
        if (source is null)
        {
            Console.Error.WriteLine($"emperor pg-setup: {error}");
            return 1;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            PgSetup.ApplyAsync(source.Connection, table, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or OperationCanceledException)
        {
            var why = e is PostgresException p ? $"{p.SqlState}: {p.MessageText}" : e.Message;
            Console.Error.WriteLine($"emperor pg-setup: {source.Argument}: {why}");
            return 1;
        }

        Console.WriteLine($"emperor pg-setup: {source.Argument}: table {table} (with its notify trigger on channel {PostgresMonitorOptions.DefaultChannel}) and {PostgresMonitorOptions.DefaultStatusTable} are ready");
        return 0;
    }
}
