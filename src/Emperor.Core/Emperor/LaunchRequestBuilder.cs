using System.Globalization;
using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Core.Emperor;

/// <summary>
/// Builds what the launcher needs to start one vassal (spec §3.2.1–§3.2.2, §10.1): the binary (wrapper, binary
/// path or our own executable), uWSGI's argv, the environment with <c>UWSGI_VASSAL_*</c> translated, the sd_notify
/// variables, the tyrant credentials and an inline config. Pure.
/// </summary>
internal sealed class LaunchRequestBuilder(
    EmperorSettings settings,
    string selfExecutable,
    IReadOnlyList<KeyValuePair<string, string>> environment,
    string? notifyAddress)
{
    private readonly string _watchdogUsec = ((long)settings.RequiredHeartbeat.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);

    public LaunchRequest Build(string name, SourceEntry entry, string workingDirectory, (int? Uid, int? Gid) credentials)
    {
        // FILE:SECTION (a vassal of a multi-vassal file) is read with FILE's loader, as uWSGI's --ini FILE:SECTION.
        var flag = VassalFormat.FlagFor(name, settings.ExtraExtensions)
            ?? (name.LastIndexOf(':') is > 0 and var colon ? VassalFormat.FlagFor(name[..colon], settings.ExtraExtensions) : null)
            ?? "--inherit";
        var configPath = entry.InlineConfig is not null ? "emperor://" + name : name;
        var executable = settings.Wrapper ?? settings.BinaryPath ?? selfExecutable;
        var argv = VassalCommandLine.Build(settings, executable, flag, configPath);
        var env = VassalEnvironment.Build(environment, entry.Path);
        if (notifyAddress is not null)
        {
            env.Add(new("NOTIFY_SOCKET", notifyAddress));
            env.Add(new("WATCHDOG_USEC", _watchdogUsec));
        }

        return new LaunchRequest(
            executable,
            argv,
            workingDirectory,
            env,
            credentials.Uid,
            credentials.Gid,
            entry.InlineConfig is null ? null : System.Text.Encoding.UTF8.GetBytes(entry.InlineConfig),
            BoundingCaps: settings.VassalCaps);
    }
}
