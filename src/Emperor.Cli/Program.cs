using Emperor.Cli.Logging;
using Emperor.Core.Config;
using Emperor.Core.Config.Options;
using Emperor.Unix.Config;
using Emperor.Unix.Processes;
using Emperor.Vassal;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli;

/// <summary>
/// One executable, two roles, as uWSGI: the command line and any config it names are read by the config
/// language once; an <c>emperor</c> option makes this process an Emperor, anything else a vassal.
/// </summary>
internal static class Program
{
    /// <summary>How many config diagnostics a vassal prints per start before "… and N more".</summary>
    private const int MaxVassalDiagnostics = 5;

    private static int Main(string[] args)
    {
        // First: a vassal child finishes its set-up (PDEATHSIG, session, fds, privileges) and execs.
        if (ChildSetup.RunIfRequested() is int setupExit)
        {
            return setupExit;
        }

        // A vassal's log-maxsize rotator (VassalLogRotator): reads the program's output and appends to its logto file.
        if (VassalLogRotator.RunIfRequested() is int rotatorExit)
        {
            return rotatorExit;
        }

        // PID 1 of a container: a minimal init in front of the Emperor (InitShim says why).
        if (args.Length > 0 && InitShim.RunIfPid1(args) is int initExit)
        {
            return initExit;
        }

        if (args.Length == 0)
        {
            foreach (var line in OptionHelpWriter.Usage)
            {
                Console.Error.WriteLine(line);
            }

            Console.Error.WriteLine("Every option, grouped and with its default: emperor --help");
            return 1;
        }

        if (args[0] == HelpCommand.Verb || args[0] == HelpCommand.CompletionVerb)
        {
            return HelpCommand.Run(args);
        }

        if (args[0] == PgSetupCommand.Verb)
        {
            return PgSetupCommand.Run(args);
        }

        if (Control.ControlCommands.Verbs.Contains(args[0]))
        {
            return Control.ControlCommands.Run(args);
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            // uWSGI's --help is immediate: whatever else is on the line, print and exit. With a vassal file option
            // the vassal role's options are what the user asked about.
            Console.Out.Write(args.Any(a => a is "--ini" or "--xml" or "--yaml" or "--json" or "-x" or "-y" or "-j" or "--show-config")
                ? OptionHelpWriter.Vassal()
                : OptionHelpWriter.General());
            return 0;
        }

        if (args is ["--version"])
        {
            Console.WriteLine(Hosting.VersionInfo.Version);
            return 0;
        }

        // Before anything can make the runtime look at signal dispositions (config loading may start processes).
        var resetSignals = InheritedSignals.ResetIgnored();

        if (args.Contains("--show-config"))
        {
            return ShowConfig.Run(args, Console.Out, Console.Error);
        }

        ConfigLoadResult loaded;
        try
        {
            var pushed = VassalRoleRunner.ReadPushedConfigIfAny(args);
            loaded = ConfigLoader.Load(args, new SystemConfigHost(Hosting.VersionInfo.Version, pushed));
        }
        catch (VassalFailure f)
        {
            Console.Error.WriteLine($"emperor: vassal {VassalRoleRunner.VassalName(args)}: {f.Message}");
            return 1;
        }

        var isEmperor = loaded.Options.Any(o => o.Key == "emperor");
        // A vassal prints a few diagnostics, not thousands per start (a 5 MB garbage file once logged thousands of
        // warnings per spawn, issue #17); --show-config lists them all.
        var shown = 0;
        foreach (var d in loaded.Diagnostics)
        {
            if (!isEmperor && shown == MaxVassalDiagnostics && loaded.Diagnostics.Count > MaxVassalDiagnostics + 1)
            {
                Console.Error.WriteLine($"emperor: vassal {VassalRoleRunner.VassalName(args)}: … and {loaded.Diagnostics.Count - shown} more diagnostics (--show-config with the same arguments lists them all)");
                break;
            }

            Console.Error.WriteLine(isEmperor ? $"emperor: {d}" : $"emperor: vassal {VassalRoleRunner.VassalName(args)}: {d}");
            shown++;
        }

        if (loaded.HasErrors)
        {
            return 1;
        }

        var options = loaded.Options.Select(o => new KeyValuePair<string, string>(o.Key, o.Value ?? "true")).ToList();
        if (!isEmperor && !Router.RouterRole.Wants(options))
        {
            InheritedSignals.Restore(resetSignals);
            return VassalRoleRunner.Run(loaded, args);
        }

        using var provider = new UwsgiLineLoggerProvider(Console.Error, LogLevel.Information);
        using var loggers = LoggerFactory.Create(b => b.ClearProviders().AddProvider(provider).SetMinimumLevel(LogLevel.Information));
        return isEmperor ? EmperorRole.Run(options, loggers) : Router.RouterRole.Run(options, loggers);
    }
}
