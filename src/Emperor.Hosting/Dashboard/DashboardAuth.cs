using System.Security.Cryptography;
using System.Text;

namespace Emperor.Hosting.Dashboard;

/// <summary>
/// <c>--emperor-dashboard-auth FILE</c>: HTTP basic auth against a file of <c>user:password</c> lines, or
/// <c>user:sha256:HEX</c> (the hex SHA-256 of the password, so the file need not hold it). Blank lines and lines
/// starting with <c>#</c> are skipped. Comparisons take constant time.
/// </summary>
internal sealed class DashboardAuth
{
    private readonly Dictionary<string, byte[]> _sha256 = new(StringComparer.Ordinal);

    private DashboardAuth()
    {
    }

    /// <summary>The users of <paramref name="text"/> (from <paramref name="source"/>), or null with the first bad line.</summary>
    public static DashboardAuth? Parse(string text, string source, out string? error)
    {
        var auth = new DashboardAuth();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == line.Length - 1)
            {
                error = $"{source}:{number}: expected user:password or user:sha256:HEX";
                return null;
            }

            var user = line[..colon];
            var secret = line[(colon + 1)..];
            if (secret.StartsWith("sha256:", StringComparison.Ordinal))
            {
                try
                {
                    var hash = Convert.FromHexString(secret["sha256:".Length..]);
                    if (hash.Length != 32)
                    {
                        throw new FormatException();
                    }

                    auth._sha256[user] = hash;
                }
                catch (FormatException)
                {
                    error = $"{source}:{number}: sha256: must be followed by 64 hex digits";
                    return null;
                }
            }
            else
            {
                auth._sha256[user] = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            }
        }

        if (auth._sha256.Count == 0)
        {
            error = $"{source}: no user in the file (every request would be refused)";
            return null;
        }

        error = null;
        return auth;
    }

    /// <summary>Whether an <c>Authorization</c> header value names a user with the right password.</summary>
    public bool Admits(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !_sha256.TryGetValue(decoded[..colon], out var expected))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(decoded[(colon + 1)..])));
    }
}
