using System.Text.RegularExpressions;
using Npgsql;

namespace Emperor.Postgres;

/// <summary>
/// <c>pg://CONNINFO[;QUERY]</c> (spec §2.5): everything after <c>pg://</c> up to the first <c>;</c> is a libpq
/// connection string or URI, the rest the SQL. The default query is uWSGI's, so emperor_pg tables work unchanged.
/// </summary>
/// <param name="Argument">The argument as stats and logs show it: the password, if any, masked.</param>
/// <param name="Connection">Where to connect (libpq defaults applied).</param>
/// <param name="Query">The vassal query: name, config, ts[, uid, gid[, socket]].</param>
internal sealed partial record PgSource(string Argument, NpgsqlConnectionStringBuilder Connection, string Query)
{
    public const string Scheme = "pg://";

    /// <summary>uWSGI's emperor_pg default.</summary>
    public const string DefaultQuery = "SELECT name,config,EXTRACT(epoch FROM ts) FROM vassals";

    /// <summary>Parses a <c>--emperor</c> value (with or without the scheme); null and a message when it cannot be used.</summary>
    public static PgSource? Parse(string argument, Func<string, string?> environment, string osUser, out string? error)
    {
        var text = argument.StartsWith(Scheme, StringComparison.Ordinal) ? argument[Scheme.Length..] : argument;
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        var conninfo = semicolon < 0 ? text : text[..semicolon];
        var query = semicolon < 0 ? string.Empty : text[(semicolon + 1)..].Trim();
        if (query.Length == 0)
        {
            query = DefaultQuery;
        }

        var builder = ConnInfo.Parse(conninfo, environment, osUser, out error);
        if (builder is null)
        {
            return null;
        }

        return new PgSource(Scheme + Mask(conninfo) + (semicolon < 0 ? string.Empty : text[semicolon..]), builder, query);
    }

    /// <summary>Hides passwords: <c>password=secret</c>, <c>password='a b'</c>, <c>//user:secret@</c>, <c>?password=secret</c>.</summary>
    /// <remarks>Each syntax is masked the way ConnInfo reads it: a keyword value runs to unescaped white space (it
    /// may hold '&amp;'), a URI parameter to the next '&amp;'. (A keyword password starting with '&amp;' was shown:
    /// found by fuzzing.)</remarks>
    public static string Mask(string conninfo) =>
        conninfo.StartsWith("postgresql://", StringComparison.Ordinal) || conninfo.StartsWith("postgres://", StringComparison.Ordinal)
            ? UriPassword().Replace(UriQueryPassword().Replace(conninfo, "${key}***"), "${head}***@")
            : KeywordPassword().Replace(conninfo, "${key}***");

    [GeneratedRegex(@"(?<key>(?:^|\s)password\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|(?:\\.|[^\s\\])*\\?)")]
    private static partial Regex KeywordPassword();

    [GeneratedRegex(@"(?<key>[?&]password=)[^&]*")]
    private static partial Regex UriQueryPassword();

    // As ConnInfo reads a URI: the authority ends at the first '/' or '?', the user part at its last '@', the
    // password starts after the user part's first ':'. (A user name holding '@' left the password unmasked:
    // found by fuzzing.)
    [GeneratedRegex(@"(?<head>^postgres(?:ql)?://[^:/?]*:)[^/?]*@")]
    private static partial Regex UriPassword();
}
