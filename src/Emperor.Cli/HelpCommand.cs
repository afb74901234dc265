using Emperor.Core.Config.Options;

namespace Emperor.Cli;

/// <summary>
/// <c>emperor help [OPTION|vassal|man]</c> and <c>emperor completion bash|zsh</c>: text generated from
/// <see cref="EmperorOptionCatalog"/> (docs/emperor.1 is <c>emperor help man</c>).
/// </summary>
internal static class HelpCommand
{
    public const string Verb = "help";

    public const string CompletionVerb = "completion";

    public static int Run(string[] args)
    {
        if (args[0] == CompletionVerb)
        {
            if (args.Length == 2 && CompletionScriptWriter.Write(args[1]) is { } script)
            {
                Console.Out.Write(script);
                return 0;
            }

            Console.Error.WriteLine("emperor: completion needs a shell: emperor completion bash|zsh");
            return 1;
        }

        switch (args)
        {
            case [_]:
                Console.Out.Write(OptionHelpWriter.General());
                return 0;
            case [_, "vassal"]:
                Console.Out.Write(OptionHelpWriter.Vassal());
                return 0;
            case [_, "man"]:
                Console.Out.Write(ManPageWriter.Write());
                return 0;
            case [_, var name]:
                if (OptionHelpWriter.Option(name) is { } text)
                {
                    Console.Out.Write(text);
                    return 0;
                }

                var near = OptionSuggester.Suggest(name);
                Console.Error.WriteLine(UwsgiOptionTable.Find(name.TrimStart('-')) is not null
                    ? $"emperor: --{name.TrimStart('-')} is a uWSGI option this Emperor passes through without acting on it; see uWSGI's documentation"
                    : $"emperor: no option --{name.TrimStart('-')}" + (near is null ? "; emperor --help lists them" : $"; did you mean --{near}?"));
                return 1;
            default:
                Console.Error.WriteLine("emperor: usage: emperor help [OPTION|vassal|man]");
                return 1;
        }
    }
}
