using System.Globalization;
using Emperor.Core.Config.Options;
using Emperor.Core.Logs;

namespace Emperor.Core.Emperor;

/// <summary>
/// Reads <see cref="EmperorSettings"/> from an ordered option list (the command line and any config file
/// the Emperor was started with, already expanded by the config language). Scalars: the last occurrence
/// wins; lists accumulate (spec §12.5). Every value of an option in <see cref="EmperorOptionCatalog"/> is checked
/// by <see cref="OptionValueValidator"/> first, and every bad value is reported, not just the first.
/// </summary>
internal static class EmperorSettingsReader
{
    /// <param name="options">The options in order.</param>
    /// <param name="directoryExists">Asked whether the directory of a UNIX socket path exists; null skips that check.</param>
    public static (EmperorSettings Settings, List<string> Errors) Read(IReadOnlyList<KeyValuePair<string, string>> options, Func<string, bool>? directoryExists = null)
    {
        var errors = new List<string>();
        var s = new EmperorSettings();
        var sources = new List<string>();
        var extra = new List<string>();
        var inherit = new List<string>();
        var include = new List<string>();
        var inheritBefore = new List<string>();
        var includeBefore = new List<string>();
        var set = new List<string>();
        var cgroupOptions = new List<KeyValuePair<string, string>>();

        foreach (var (key, value) in options)
        {
            if (EmperorOptionCatalog.Find(key) is { Group: not EmperorOptionGroup.Vassal } spec
                && OptionValueValidator.Check(spec, key, value, directoryExists) is { } error)
            {
                errors.Add(error);
                continue;
            }

            switch (key)
            {
                case "emperor": sources.Add(value); break;
                case "emperor-freq": s = s with { Frequency = Seconds(value) }; break;
                case "binary-path": s = s with { BinaryPath = value }; break;
                case "emperor-wrapper": s = s with { Wrapper = value }; break;
                case "emperor-extra-extension" or "emperor-extra-ext": extra.Add(value); break;
                case "vassals-inherit": inherit.Add(value); break;
                case "vassals-include": include.Add(value); break;
                case "vassals-inherit-before": inheritBefore.Add(value); break;
                case "vassals-include-before": includeBefore.Add(value); break;
                case "vassal-set" or "vassals-set": set.Add(value); break;
                case "emperor-nofollow": s = s with { NoFollow = Bool(value) }; break;
                case "emperor-tyrant": s = s with { Tyrant = Bool(value) }; break;
                case "emperor-tyrant-nofollow": s = s with { TyrantNoFollow = Bool(value) }; break;
                case "emperor-curse-tolerance": s = s with { CurseTolerance = Seconds(value) }; break;
                case "reload-mercy": s = s with { ReloadMercy = Seconds(value) }; break;
                case "emperor-graceful-shutdown": s = s with { GracefulShutdown = Bool(value) }; break;
                case "emperor-throttle": s = s with { Throttle = Millis(value) }; break;
                case "emperor-max-throttle": s = s with { MaxThrottle = Millis(value) }; break;
                case "emperor-no-blacklist": s = s with { NoBlacklist = Bool(value) }; break;
                case "emperor-required-heartbeat": s = s with { RequiredHeartbeat = Seconds(value) }; break;
                case "emperor-loyal-after": s = s with { LoyalAfter = Seconds(value) }; break;
                case "emperor-pidfile": s = s with { PidFile = value }; break;
                case "emperor-stats" or "emperor-stats-server": s = s with { StatsAddress = value }; break;
                case "stats-http": s = s with { StatsHttp = Bool(value) }; break;
                case "emperor-command-socket": s = s with { CommandSocket = value }; break;
                case "emperor-metrics": s = s with { MetricsAddress = value }; break;
                case "emperor-pg-host": s = s with { PgHost = value }; break;
                case "emperor-id": s = s with { EmperorId = value }; break;
                case "emperor-on-demand-directory" or "emperor-on-demand-dir": s = s with { OnDemandDirectory = value }; break;
                case "emperor-on-demand-extension" or "emperor-on-demand-ext": s = s with { OnDemandExtension = value }; break;
                case "emperor-on-demand-exec": s = s with { OnDemandExec = value }; break;
                case "emperor-reload-mode":
                    if (VassalRole.Supervision.TryMode(value, out var mode))
                    {
                        s = s with { ReloadMode = mode };
                    }
                    else
                    {
                        errors.Add($"--emperor-reload-mode {value}: expected restart or overlap");
                    }

                    break;
                case "emperor-dashboard": s = s with { DashboardAddress = value.StartsWith(':') ? "127.0.0.1" + value : value }; break;
                case "emperor-dashboard-auth": s = s with { DashboardAuthFile = value }; break;
                case "emperor-log-dir": s = s with { LogDir = value }; break;
                case "emperor-cgroup": s = s with { CgroupDirectory = value }; break;
                case "emperor-cgroup-opt":
                    if (Cgroups.CgroupOption.TryParse(value, out var option, out var bad))
                    {
                        cgroupOptions.Add(option);
                    }
                    else
                    {
                        errors.Add($"--emperor-cgroup-opt {value}: {bad}");
                    }

                    break;
                case "emperor-cap" or "vassals-cap" or "vassal-cap":
                    // As uWSGI's uwsgi_opt_set_emperor_cap: the last one names the whole set.
                    if (VassalRole.CapabilityNames.TryParse(value, out var caps, out var unknown))
                    {
                        s = s with { VassalCaps = caps };
                    }
                    else
                    {
                        errors.Add($"--{key} {value}: unknown capability \"{unknown}\" (names as in capabilities(7) without cap_, e.g. net_bind_service, or numbers)");
                    }

                    break;
                case "emperor-log-maxsize": s = s with { LogMaxSize = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) }; break;
                case "emperor-log-backups": s = s with { LogBackups = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) }; break;
                case "emperor-log-format": s = s with { LogFormat = value == "json" ? LogFormat.Json : LogFormat.Text }; break;
                default: break;
            }
        }

        return (s with
        {
            Sources = sources,
            ExtraExtensions = extra,
            VassalsInherit = inherit,
            VassalsInclude = include,
            VassalsInheritBefore = inheritBefore,
            VassalsIncludeBefore = includeBefore,
            VassalSet = set,
            CgroupOptions = cgroupOptions,
        }, errors);
    }

    /// <summary>uWSGI's boolean reading: present means true unless false/off/no/0.</summary>
    public static bool Bool(string value) =>
        !(value.Equals("false", StringComparison.OrdinalIgnoreCase)
          || value.Equals("off", StringComparison.OrdinalIgnoreCase)
          || value.Equals("no", StringComparison.OrdinalIgnoreCase)
          || value == "0");

    // Both run after OptionValueValidator accepted the value: digits only, within the timers' range.
    private static TimeSpan Seconds(string value) =>
        TimeSpan.FromSeconds(long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture));

    private static TimeSpan Millis(string value) =>
        TimeSpan.FromMilliseconds(long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture));
}
