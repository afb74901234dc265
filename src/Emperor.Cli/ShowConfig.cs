using System.Reflection;
using Emperor.Core.Config;
using Emperor.Unix.Config;

namespace Emperor.Cli;

/// <summary>
/// <c>emperor ... --show-config</c>: loads the configuration named by the arguments exactly as uWSGI would and
/// prints uWSGI's <c>--show-config</c> block. Like uWSGI, which writes it to its log, the block goes to standard
/// error (so <c>2&gt;&amp;1</c> pipelines written for uWSGI keep working); every diagnostic is one line
/// <c>FILE:LINE:COL: error|warning: message</c> on standard error before it. Standard output stays empty.
/// When there is an error the block is not printed, because uWSGI would have exited before printing it.
/// Exit status: 0, or 1 when there was an error.
/// </summary>
internal static class ShowConfig
{
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var host = new SystemConfigHost(Version);
        var result = ConfigLoader.Load(args, host);
        foreach (var diagnostic in result.Diagnostics)
        {
            stderr.Write(diagnostic.ToString());
            stderr.Write('\n');
        }

        if (!result.HasErrors && result.GetFlag("show-config"))
        {
            stderr.Write(ShowConfigFormatter.Format(result.Options));
        }

        stderr.Flush();
        return result.HasErrors ? 1 : 0;
    }

    /// <summary>The value of <c>%V</c>: this build's version.</summary>
    private static string Version
    {
        get
        {
            var version = typeof(ShowConfig).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return "emperor-" + (plus >= 0 ? version[..plus] : version);
        }
    }
}
