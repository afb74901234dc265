namespace Emperor.Core.Config.Options;

/// <summary>
/// GNU getopt_long as uWSGI calls it (core/init.c <c>uwsgi_commandline_config</c>): long options with
/// <c>--name value</c> or <c>--name=value</c>, unambiguous prefixes of long names, clustered short options,
/// <c>--</c> to end the options, and permutation: non-option arguments (config files) are collected and handled
/// after all options, unless POSIXLY_CORRECT is set. A short option is reported under the name of the first
/// table entry with that letter (<c>-x</c> is <c>xmlconfig</c>), as <c>uwsgi_get_optname_by_index</c> does.
/// </summary>
internal static class CommandLineParser
{
    public const string Source = "<command line>";

    /// <summary>Unrecognized options that get a "did you mean" (the edit distances cost; see <see cref="Unrecognized"/>).</summary>
    private const int MaxSuggestions = 16;

    public static CommandLineParseResult Parse(IReadOnlyList<string> args, bool posixlyCorrect)
    {
        var options = new List<CommandLineItem>();
        var files = new List<CommandLineItem>();
        var diagnostics = new List<ConfigDiagnostic>();
        var onlyFiles = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyFiles || arg.Length < 2 || arg[0] != '-')
            {
                files.Add(new CommandLineItem(arg, null, i));
                onlyFiles |= posixlyCorrect;
                continue;
            }

            if (arg == "--")
            {
                onlyFiles = true;
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                i = ParseLong(args, i, options, diagnostics);
            }
            else
            {
                i = ParseShort(args, i, options, diagnostics);
            }
        }

        return new CommandLineParseResult(options, files, diagnostics);
    }

    private static int ParseLong(IReadOnlyList<string> args, int i, List<CommandLineItem> options, List<ConfigDiagnostic> diagnostics)
    {
        var arg = args[i];
        var body = arg[2..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        var name = eq >= 0 ? body[..eq] : body;
        var info = UwsgiOptionTable.Find(name);
        if (info is null)
        {
            var matches = UwsgiOptionTable.Names.Where(n => n.StartsWith(name, StringComparison.Ordinal)).Take(5).ToList();
            if (name.Length == 0 || matches.Count == 0)
            {
                diagnostics.Add(Error(i, Unrecognized(arg, suggest: diagnostics.Count < MaxSuggestions)));

                // uWSGI stops at the first getopt error. A mistyped option usually had a value after it: take it
                // along, so that the value is not reported a second time as a config file that cannot be loaded.
                return eq < 0 && i + 1 < args.Count && !args[i + 1].StartsWith('-') ? i + 1 : i;
            }

            if (matches.Count > 1)
            {
                diagnostics.Add(Error(i, ConfigMessages.AmbiguousOption("--" + name, string.Join(", ", matches.Select(m => "--" + m)))));
                return i;
            }

            info = UwsgiOptionTable.Find(matches[0])!;
        }

        switch (info.Argument)
        {
            case UwsgiOptionArgument.None when eq >= 0:
                diagnostics.Add(Error(i, ConfigMessages.OptionTakesNoArgument("--" + info.Name)));
                return i;
            case UwsgiOptionArgument.None:
                options.Add(new CommandLineItem(info.Name, null, i));
                return i;
            case UwsgiOptionArgument.Optional:
                options.Add(new CommandLineItem(info.Name, eq >= 0 ? body[(eq + 1)..] : null, i));
                return i;
            default:
                if (eq >= 0)
                {
                    options.Add(new CommandLineItem(info.Name, body[(eq + 1)..], i));
                    return i;
                }

                if (i + 1 >= args.Count)
                {
                    diagnostics.Add(Error(i, ConfigMessages.OptionNeedsArgument("--" + info.Name)));
                    return i;
                }

                options.Add(new CommandLineItem(info.Name, args[i + 1], i));
                return i + 1;
        }
    }

    private static int ParseShort(IReadOnlyList<string> args, int i, List<CommandLineItem> options, List<ConfigDiagnostic> diagnostics)
    {
        var arg = args[i];
        for (var k = 1; k < arg.Length; k++)
        {
            var info = UwsgiOptionTable.FindShort(arg[k]);
            if (info is null)
            {
                diagnostics.Add(Error(i, ConfigMessages.UnrecognizedOption("-" + arg[k])));
                return i;
            }

            var rest = arg[(k + 1)..];
            switch (info.Argument)
            {
                case UwsgiOptionArgument.None:
                    options.Add(new CommandLineItem(info.Name, null, i));
                    continue;
                case UwsgiOptionArgument.Optional:
                    options.Add(new CommandLineItem(info.Name, rest.Length > 0 ? rest : null, i));
                    return i;
                default:
                    if (rest.Length > 0)
                    {
                        options.Add(new CommandLineItem(info.Name, rest, i));
                        return i;
                    }

                    if (i + 1 >= args.Count)
                    {
                        diagnostics.Add(Error(i, ConfigMessages.OptionNeedsArgument("-" + arg[k])));
                        return i;
                    }

                    options.Add(new CommandLineItem(info.Name, args[i + 1], i));
                    return i + 1;
            }
        }

        return i;
    }

    /// <summary>
    /// uWSGI refuses an unknown option; the nearest known name turns a typo into a one-look fix. Only for the first few
    /// and for names of a sensible length: a command line of thousands of bad options (a fuzzer's, a broken script's)
    /// must not cost an edit distance against every option name each.
    /// </summary>
    private static string Unrecognized(string arg, bool suggest) =>
        suggest && arg.Length <= 64 && OptionSuggester.Suggest(arg) is { } near
            ? $"unrecognized option '{arg}'; did you mean --{near}? (uWSGI exits with \"getopt_long() error\")"
            : ConfigMessages.UnrecognizedOption(arg);

    private static ConfigDiagnostic Error(int index, string message) =>
        new(new ConfigLocation(Source, 1, index + 1), ConfigSeverity.Error, ConfigDiagnosticCode.CommandLine, message);
}
