using System.Collections.Concurrent;
using System.Globalization;
using Emperor.Testing;
using Npgsql;

namespace Emperor.Postgres.Tests;

/// <summary>
/// A throw-away PostgreSQL cluster for the test run: Debian's binaries (<c>/usr/lib/postgresql/N/bin</c>), initdb into a
/// temp dir (as user postgres when the tests run as root, which PostgreSQL requires), the server on a private Unix
/// socket directory only (no TCP), and everything stopped and deleted at the end. Its processes carry a
/// <see cref="LeakGuard"/> token of their own, so the end of the run proves none of them survived, and no test's guard
/// ever kills them.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(60);

    private readonly LeakGuard _guard = new();
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _dataSources = new(StringComparer.Ordinal);
    private TempDir? _root;
    private string _bin = string.Empty;
    private bool _asPostgresUser;

    /// <summary>The socket directory the Emperors are told about.</summary>
    public string SocketDirectory { get; private set; } = string.Empty;

    /// <summary>A second socket directory: the server started there is out of the Emperors' reach (an outage).</summary>
    public string HiddenSocketDirectory { get; private set; } = string.Empty;

    /// <summary>The port (it only names the socket file: the server listens on no TCP address).</summary>
    public int Port { get; private set; }

    /// <summary>Where the server currently listens: <see cref="SocketDirectory"/>, <see cref="HiddenSocketDirectory"/>, or null when stopped.</summary>
    public string? ListeningOn { get; private set; }

    private string DataDirectory => _root!.Combine("data");

    public async ValueTask InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault() ?? string.Empty
            : string.Empty;
        if (_bin.Length == 0)
        {
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: install the Debian package postgresql (scripts/test does).");
        }

        _asPostgresUser = Native.geteuid() == 0;
        _root = new TempDir("pg");
        SocketDirectory = Directory.CreateDirectory(_root.Combine("sock")).FullName;
        HiddenSocketDirectory = Directory.CreateDirectory(_root.Combine("hidden")).FullName;
        Port = 20000 + Random.Shared.Next(20000);
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root.Path]);
        }

        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        await StartAsync();
    }

    /// <summary>Starts the server, on <see cref="HiddenSocketDirectory"/> when <paramref name="hidden"/>.</summary>
    public async Task StartAsync(bool hidden = false)
    {
        var socket = hidden ? HiddenSocketDirectory : SocketDirectory;
        var options = $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {socket} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50";
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-l", _root!.Combine("server.log"), "-w", "-t", "60", "-o", options, "start"]);
        ListeningOn = socket;
    }

    /// <summary>Stops the server (fast shutdown: sessions are terminated, as when a database host goes away).</summary>
    public async Task StopAsync()
    {
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);
        ListeningOn = null;
    }

    /// <summary>libpq keywords for <paramref name="database"/> on the visible socket.</summary>
    public string ConnInfo(string database) =>
        $"host={SocketDirectory} port={Port.ToString(CultureInfo.InvariantCulture)} user=postgres dbname={database}";

    /// <summary>A fresh database (its own LISTEN namespace too) for one test; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string encoding = "UTF8")
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = await OpenAsync("postgres");
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C'", admin);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>A connection to <paramref name="database"/> wherever the server listens now (the test's own view).</summary>
    public async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var socket = ListeningOn ?? throw new InvalidOperationException("The test cluster is stopped.");
        var settings = new NpgsqlConnectionStringBuilder
        {
            Host = socket,
            Port = Port,
            Username = "postgres",
            Database = database,
            Pooling = false,
        };
        var dataSource = _dataSources.GetOrAdd(settings.ConnectionString, cs =>
        {
            var builder = new NpgsqlSlimDataSourceBuilder(cs);
            builder.EnableArrays();
            return builder.Build();
        });
        return await dataSource.OpenConnectionAsync();
    }

    /// <summary>Runs SQL (no parameters) in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources.Values)
        {
            await dataSource.DisposeAsync();
        }

        try
        {
            if (_root is not null && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The guard below kills whatever is left and says so.
        }
        finally
        {
            try
            {
                await _guard.DisposeAsync();
            }
            finally
            {
                _root?.Dispose();
            }
        }
    }

    private Task RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        _asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        await using var process = TestProcess.Start(_guard, program, arguments, workingDirectory: "/");

        // pg_ctl start leaves the server holding our pipes: wait for the exit, not for the streams' end.
        var code = await process.WaitForExitAsync(s_commandTimeout);
        if (code != 0)
        {
            var log = _root is not null && File.Exists(_root.Combine("server.log")) ? File.ReadAllText(_root.Combine("server.log")) : string.Empty;
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {code}:\n{process.Output}\n--- server.log:\n{log}");
        }
    }
}
