namespace Emperor.Cli;

/// <summary>
/// uWSGI's command-line shape: <c>--name value</c>, <c>--name=value</c>, flags without a value, and bare
/// config files. Produces the ordered option list the settings readers take.
/// </summary>
internal static class CommandLine
{
    /// <summary>Options that take no value (uWSGI's no_argument entries we know of).</summary>
    private static readonly HashSet<string> s_flags = new(StringComparer.Ordinal)
    {
        "emperor-nofollow", "emperor-tyrant", "emperor-tyrant-nofollow", "emperor-graceful-shutdown",
        "emperor-no-blacklist", "emperor-magic-exec", "show-config", "stats-http", "stats-minified", "master",
        "strict", "die-on-term", "vacuum", "no-orphans", "help", "version", "early-emperor", "emperor-pg-setup",
    };

    public static (List<KeyValuePair<string, string>> Options, List<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var options = new List<KeyValuePair<string, string>>();
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                options.Add(new("config", a));
                continue;
            }

            var name = a[2..];
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                options.Add(new(name[..eq], name[(eq + 1)..]));
            }
            else if (s_flags.Contains(name))
            {
                options.Add(new(name, "true"));
            }
            else if (i + 1 < args.Count)
            {
                options.Add(new(name, args[++i]));
            }
            else
            {
                errors.Add($"option --{name} requires a value");
            }
        }

        return (options, errors);
    }
}
