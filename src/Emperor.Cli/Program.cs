using Emperor.Cli.Logging;
using Emperor.Unix.Processes;
using Emperor.Vassal;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // First: a vassal child finishes its set-up (PDEATHSIG, session, fds, privileges) and execs.
        if (ChildSetup.RunIfRequested() is int setupExit)
        {
            return setupExit;
        }

        if (args.Contains("--show-config"))
        {
            return ShowConfig.Run(args, Console.Out, Console.Error);
        }

        var (options, errors) = CommandLine.Parse(args);
        foreach (var e in errors)
        {
            Console.Error.WriteLine("emperor: " + e);
        }

        if (errors.Count > 0)
        {
            return 1;
        }

        if (options.Any(o => o.Key == "emperor"))
        {
            using var provider = new UwsgiLineLoggerProvider(Console.Error, LogLevel.Information);
            using var loggers = LoggerFactory.Create(b => b.ClearProviders().AddProvider(provider).SetMinimumLevel(LogLevel.Information));
            return EmperorRole.Run(options, loggers);
        }

        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: emperor --emperor DIR|glob://PATTERN [options]   (an Emperor)");
            Console.Error.WriteLine("       emperor --ini|--xml|--yaml|--json FILE[:section] (a vassal; add --show-config to print the expanded config)");
            return 1;
        }

        return VassalRoleRunner.Run(args, Hosting.VersionInfo.Version);
    }
}
