using Npgsql;

namespace Emperor.Postgres.Tests;

/// <summary>libpq connection strings and URIs, as uWSGI's emperor_pg passes them to PQconnectdb.</summary>
public sealed class ConnInfoTests
{
    private static NpgsqlConnectionStringBuilder Parse(string text, Dictionary<string, string>? env = null)
    {
        var b = ConnInfo.Parse(text, v => env?.GetValueOrDefault(v), "osuser", out var error);
        Assert.True(b is not null, error);
        return b;
    }

    private static string Error(string text)
    {
        Assert.Null(ConnInfo.Parse(text, _ => null, "osuser", out var error));
        return error!;
    }

    [Fact]
    public void Keywords_WithSpacesAroundEquals_AreRead()
    {
        var b = Parse(@"host=db.example port = 6543 dbname=fleet user=emperor sslmode=require connect_timeout=7 application_name=em");
        Assert.Equal("db.example", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("fleet", b.Database);
        Assert.Equal("emperor", b.Username);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal(7, b.Timeout);
        Assert.Equal("em", b.ApplicationName);
    }

    [Fact]
    public void QuotedValue_KeepsSpacesAndEscapedQuotes()
    {
        var b = Parse(@"password='a b\'c' dbname=x");
        Assert.Equal("a b'c", b.Password);
        Assert.Equal("x", b.Database);
    }

    [Fact]
    public void Empty_UsesLibpqDefaults_SocketDirectoryOsUserAndSameNamedDatabase()
    {
        var b = Parse("");
        Assert.Equal(ConnInfo.DefaultSocketDirectory, b.Host);
        Assert.Equal("osuser", b.Username);
        Assert.Equal("osuser", b.Database);
        Assert.Equal(5432, b.Port);
        Assert.Equal(ConnInfo.DefaultConnectTimeoutSeconds, b.Timeout);
    }

    [Fact]
    public void EnvironmentVariables_AreDefaults_AndTheStringWins()
    {
        var env = new Dictionary<string, string> { ["PGHOST"] = "envhost", ["PGPORT"] = "5555", ["PGUSER"] = "envuser", ["PGDATABASE"] = "envdb" };
        var b = Parse("dbname=given", env);
        Assert.Equal("envhost", b.Host);
        Assert.Equal(5555, b.Port);
        Assert.Equal("envuser", b.Username);
        Assert.Equal("given", b.Database);
    }

    [Fact]
    public void Uri_WithUserPasswordHostPortDatabaseAndParameters()
    {
        var b = Parse("postgresql://em%40x:p%3Ass@db:5433/fleet?sslmode=verify-full&application_name=a%20b");
        Assert.Equal("em@x", b.Username);
        Assert.Equal("p:ss", b.Password);
        Assert.Equal("db", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("fleet", b.Database);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("a b", b.ApplicationName);
    }

    [Fact]
    public void Uri_UnixSocketInTheHostParameter_AndSeveralHosts()
    {
        var socket = Parse("postgres:///fleet?host=/run/postgresql&port=6000");
        Assert.Equal("/run/postgresql", socket.Host);
        Assert.Equal(6000, socket.Port);
        Assert.Equal("fleet", socket.Database);

        var encoded = Parse("postgresql://%2Fvar%2Frun%2Fpostgresql/fleet");
        Assert.Equal("/var/run/postgresql", encoded.Host);

        var several = Parse("postgresql://a:5432,b,[::1]:5433/fleet?target_session_attrs=read-write");
        Assert.Equal("a:5432,b,[::1]:5433", several.Host);
        Assert.Equal("read-write", several.TargetSessionAttributes);
    }

    [Theory]
    [InlineData("host=db bogus=1", "unknown connection option \"bogus\"")]
    [InlineData("host=db dbname", "missing \"=\" after \"dbname\"")]
    [InlineData("password='open", "unterminated quoted value")]
    [InlineData("port=http", "is not a port number")]
    [InlineData("sslmode=maybe", "is not one of")]
    [InlineData("service=fleet", "pg_service.conf")]
    [InlineData("postgresql://db:99999/x", "is not a port number")]
    public void Problems_AreOneClearMessage(string text, string expected) =>
        Assert.Contains(expected, Error(text), StringComparison.Ordinal);

    [Fact]
    public void Source_SplitsAtTheFirstSemicolon_AndDefaultsToUwsgisQuery()
    {
        var plain = PgSource.Parse("pg://dbname=fleet", _ => null, "u", out _)!;
        Assert.Equal(PgSource.DefaultQuery, plain.Query);
        Assert.Equal("SELECT name,config,EXTRACT(epoch FROM ts) FROM vassals", plain.Query);

        var custom = PgSource.Parse("pg://dbname=fleet;SELECT a;b", _ => null, "u", out _)!;
        Assert.Equal("SELECT a;b", custom.Query);
        Assert.Equal("fleet", custom.Connection.Database);

        var trailing = PgSource.Parse("pg://dbname=fleet;", _ => null, "u", out _)!;
        Assert.Equal(PgSource.DefaultQuery, trailing.Query);
    }

    [Theory]
    [InlineData("pg://host=db password=secret dbname=x", "pg://host=db password=*** dbname=x")]
    [InlineData("pg://password='se cret' dbname=x;SELECT 1", "pg://password=*** dbname=x;SELECT 1")]
    [InlineData("pg://postgresql://u:secret@db/x", "pg://postgresql://u:***@db/x")]
    [InlineData("pg://postgresql://u@db/x?password=secret&sslmode=require", "pg://postgresql://u@db/x?password=***&sslmode=require")]
    public void Source_MasksPasswordsInWhatStatsAndLogsShow(string argument, string shown)
    {
        var source = PgSource.Parse(argument, _ => null, "u", out var error);
        Assert.True(source is not null, error);
        Assert.Equal(shown, source.Argument);
        Assert.DoesNotContain("secret", source.Argument, StringComparison.Ordinal);
    }
}
