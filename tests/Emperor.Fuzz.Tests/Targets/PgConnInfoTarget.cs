using Emperor.Fuzz.Tests.Harness;
using Emperor.Postgres;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The <c>--emperor pg://…</c> argument: libpq keyword strings and URIs, the query after ';', password masking.
/// Checks: a source or one line of error, never both; the argument as logs show it never contains the password
/// (checked when the password is written literally, once, in the text).
/// </summary>
internal sealed class PgConnInfoTarget : IFuzzTarget
{
    private static readonly Dictionary<string, string> s_environment = new(StringComparer.Ordinal)
    {
        ["PGHOST"] = "db",
        ["PGAPPNAME"] = "fuzz",
    };

    public string Name => "pg-conninfo";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("pg://host=db port=5432 dbname=fleet user=emperor password='se\\'cret' connect_timeout=3 sslmode=require;SELECT name, config, ts FROM v"),
        ConfigChecks.Utf8("pg://postgresql://emperor:s%40cret@[::1]:5433,h2:5434/fleet?sslmode=verify-full&application_name=x&ssl=true"),
        ConfigChecks.Utf8("pg://postgres://@/?keepalives_idle=10&keepalives_interval=5&keepalives=0&target_session_attrs=read-write&options=-c%20a%3Db"),
        ConfigChecks.Utf8("pg://service=x hostaddr=1.2.3.4 krbsrvname=k sslcert=a sslkey=b sslrootcert=c sslpassword=d gssencmode=disable;"),
    ];

    public IReadOnlyList<string> Dictionary =>
    [
        " ", "'", "\\", "=", ";", "postgresql://", "postgres://", "@", ":", "/", "?", "&", "%", "%zz", "[", "]", ",", "password=", "port=", "host=", "sslmode=",
        "target_session_attrs=", "keepalives_idle=", "connect_timeout=", "options=", "application_name=", "fallback_application_name=", "65536", "0", "-1",
    ];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var text = ConfigChecks.Text(input);
        var source = PgSource.Parse(text, v => s_environment.GetValueOrDefault(v), "emperor", out var error);
        Invariant.That((source is null) != (error is null), $"source {(source is null ? "null" : "set")} and error {(error is null ? "null" : "set")}");
        if (source is null)
        {
            Invariant.OneLine(error, "error");
            return "error " + error;
        }

        if (source.Connection.Password is { Length: >= 4 } password && !password.Contains("***", StringComparison.Ordinal)
            && text.IndexOf(password, StringComparison.Ordinal) is var first && first >= 0
            && text.IndexOf(password, first + 1, StringComparison.Ordinal) < 0)
        {
            Invariant.That(!source.Argument.Contains(password, StringComparison.Ordinal), "the masked argument shows the password");
        }

        Invariant.That(source.Connection.Port is >= 1 and <= 65535, $"port {source.Connection.Port}");
        return source.Argument + "\n" + source.Query + "\n" + source.Connection.ConnectionString;
    }
}
