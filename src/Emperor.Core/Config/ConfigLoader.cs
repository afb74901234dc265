using Emperor.Core.Config.Loading;
using Emperor.Core.Config.Options;

namespace Emperor.Core.Config;

/// <summary>
/// Reads a vassal's configuration from its command line exactly as uWSGI 2.0's <c>uwsgi_setup</c> does, with all
/// operating-system access going through <see cref="IConfigHost"/>. Never throws on user input and always
/// terminates (see <see cref="ConfigLimits"/>); every problem is a <see cref="ConfigDiagnostic"/>.
/// </summary>
internal static class ConfigLoader
{
    /// <param name="args">The arguments after the program name, e.g. <c>["--ini", "app.ini:sect", "--show-config"]</c>.</param>
    /// <param name="host">The operating system, or a fake.</param>
    /// <param name="limits">Bounds; <see cref="ConfigLimits.Default"/> when omitted.</param>
    public static ConfigLoadResult Load(IReadOnlyList<string> args, IConfigHost host, ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(host);
        var session = new ConfigSession(host, limits ?? ConfigLimits.Default);
        var commandLine = CommandLineParser.Parse(args, session.PosixlyCorrect);
        var diagnostics = new List<ConfigDiagnostic>(commandLine.Diagnostics);
        session.AddEnvironmentOptions();
        foreach (var option in commandLine.Options)
        {
            session.AddCommandLineOption(option);
        }

        foreach (var file in commandLine.Files)
        {
            session.LoadFileArgument(file);
        }

        session.ApplyPasses();
        session.Configure();
        session.Finish();
        diagnostics.AddRange(session.Diagnostics);
        return new ConfigLoadResult([.. session.Options], diagnostics) { Locations = [.. session.Locations] };
    }
}
