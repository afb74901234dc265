using System.Text;

namespace Emperor.Core.Config.Options;

/// <summary>
/// <c>emperor --help</c>, <c>emperor help vassal</c> and <c>emperor help OPTION</c>, generated from
/// <see cref="EmperorOptionCatalog"/> so that the help cannot drift from the options.
/// </summary>
internal static class OptionHelpWriter
{
    private const int Column = 40;

    public static readonly string[] Usage =
    [
        "usage: emperor --emperor DIR|glob://PATTERN|pg://CONNINFO[;QUERY] [options]   run an Emperor",
        "       emperor --ini|--xml|--yaml|--json FILE[:section] [--show-config]     run (or print) one vassal",
        "       emperor ls|stats|reload|stop|start|pardon|rescan [--id NAME] ...     control a running Emperor",
        "       emperor pg-setup CONNINFO [--table NAME] [--print]                   prepare PostgreSQL for pg://",
        "       emperor help [OPTION|vassal] | completion bash|zsh | --version",
    ];

    /// <summary>The full <c>--help</c>: usage, then every Emperor option under its heading.</summary>
    public static string General()
    {
        var text = new StringBuilder();
        foreach (var line in Usage)
        {
            text.Append(line).Append('\n');
        }

        text.Append('\n')
            .Append("Options are uWSGI's, with the same names and meanings, except those marked (ours).\n")
            .Append("Write --name VALUE or --name=VALUE; any of them may also come from a config file (--ini emperor.ini).\n");
        AppendGroups(text, g => g != EmperorOptionGroup.Vassal);
        text.Append('\n')
            .Append("Vassal role options: emperor help vassal (or emperor --ini --help). Long text: emperor help OPTION.\n")
            .Append("Signals: SIGINT/SIGTERM/SIGQUIT stop everything (Ragnarok), SIGHUP reloads every vassal, SIGUSR1 prints\n")
            .Append("their status, SIGURG clears the blacklist, SIGWINCH rescans the sources.\n");
        return text.ToString();
    }

    /// <summary>The options of the vassal role.</summary>
    public static string Vassal()
    {
        var text = new StringBuilder();
        text.Append("usage: emperor --ini|--xml|--yaml|--json FILE[:section] [--show-config] [options]\n")
            .Append("A vassal file may use any uWSGI option; these are the ones the vassal role itself acts on.\n");
        AppendGroups(text, g => g == EmperorOptionGroup.Vassal);
        return text.ToString();
    }

    /// <summary>The long text of one option, or null when there is no such option.</summary>
    public static string? Option(string name)
    {
        if (EmperorOptionCatalog.Find(name) is not { } spec)
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append(Synopsis(spec)).Append('\n')
            .Append("  ").Append(spec.Summary).Append('\n')
            .Append('\n');
        foreach (var line in Wrap(spec.Details, 76))
        {
            text.Append("  ").Append(line).Append('\n');
        }

        text.Append('\n')
            .Append("  group:   ").Append(EmperorOptionCatalog.Heading(spec.Group)).Append('\n')
            .Append("  default: ").Append(spec.Default ?? "none").Append('\n')
            .Append("  uWSGI:   ").Append(spec.Uwsgi ? "same name and meaning" : "no (ours)").Append('\n');
        if (spec.Aliases.Count > 0)
        {
            text.Append("  aliases: ").Append(string.Join(", ", spec.Aliases.Select(a => "--" + a))).Append('\n');
        }

        if (spec.Repeatable)
        {
            text.Append("  may be given more than once\n");
        }

        return text.ToString();
    }

    /// <summary><c>--name METAVAR</c>.</summary>
    public static string Synopsis(EmperorOptionSpec spec) =>
        spec.Metavar.Length == 0 ? "--" + spec.Name : $"--{spec.Name} {spec.Metavar}";

    /// <summary>The one help line of an option, without indentation.</summary>
    public static string Line(EmperorOptionSpec spec)
    {
        var synopsis = Synopsis(spec);
        var line = new StringBuilder(synopsis);
        line.Append(' ', Math.Max(1, Column - 2 - synopsis.Length)).Append(spec.Summary);
        if (spec.Default is { } d)
        {
            line.Append(" [default: ").Append(d).Append(']');
        }

        if (!spec.Uwsgi)
        {
            line.Append(" (ours)");
        }

        return line.ToString();
    }

    private static void AppendGroups(StringBuilder text, Func<EmperorOptionGroup, bool> include)
    {
        foreach (var group in Enum.GetValues<EmperorOptionGroup>().Where(include))
        {
            var specs = EmperorOptionCatalog.All.Where(s => s.Group == group).ToList();
            if (specs.Count == 0)
            {
                continue;
            }

            text.Append('\n').Append(EmperorOptionCatalog.Heading(group)).Append(":\n");
            foreach (var spec in specs)
            {
                text.Append("  ").Append(Line(spec)).Append('\n');
            }
        }
    }

    /// <summary>Breaks prose into lines of at most <paramref name="width"/> characters at spaces.</summary>
    /// <remarks>A list, not an iterator: a compiler-generated iterator reads <c>Environment.CurrentManagedThreadId</c>,
    /// which Core's architecture test (rightly) refuses.</remarks>
    public static List<string> Wrap(string prose, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in prose.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        return lines;
    }
}
