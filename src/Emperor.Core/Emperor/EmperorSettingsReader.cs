using System.Globalization;

namespace Emperor.Core.Emperor;

/// <summary>
/// Reads <see cref="EmperorSettings"/> from an ordered option list (the command line and any config file
/// the Emperor was started with, already expanded by the config language). Scalars: the last occurrence
/// wins; lists accumulate (spec §12.5). Every bad value is reported, not just the first.
/// </summary>
internal static class EmperorSettingsReader
{
    public static (EmperorSettings Settings, List<string> Errors) Read(IReadOnlyList<KeyValuePair<string, string>> options)
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

        foreach (var (key, value) in options)
        {
            switch (key)
            {
                case "emperor": sources.Add(value); break;
                case "emperor-freq": s = s with { Frequency = Seconds(key, value, errors, s.Frequency, allowZero: false) }; break;
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
                case "emperor-curse-tolerance": s = s with { CurseTolerance = Seconds(key, value, errors, s.CurseTolerance, allowZero: false) }; break;
                case "reload-mercy": s = s with { ReloadMercy = Seconds(key, value, errors, s.ReloadMercy, allowZero: false) }; break;
                case "emperor-graceful-shutdown": s = s with { GracefulShutdown = Bool(value) }; break;
                case "emperor-throttle": s = s with { Throttle = Millis(key, value, errors, s.Throttle) }; break;
                case "emperor-max-throttle": s = s with { MaxThrottle = Millis(key, value, errors, s.MaxThrottle) }; break;
                case "emperor-no-blacklist": s = s with { NoBlacklist = Bool(value) }; break;
                case "emperor-required-heartbeat": s = s with { RequiredHeartbeat = Seconds(key, value, errors, s.RequiredHeartbeat, allowZero: false) }; break;
                case "emperor-loyal-after": s = s with { LoyalAfter = Seconds(key, value, errors, s.LoyalAfter, allowZero: true) }; break;
                case "emperor-pidfile": s = s with { PidFile = value }; break;
                case "emperor-stats" or "emperor-stats-server": s = s with { StatsAddress = value }; break;
                case "stats-http": s = s with { StatsHttp = Bool(value) }; break;
                case "emperor-command-socket": s = s with { CommandSocket = value }; break;
                case "emperor-metrics": s = s with { MetricsAddress = value }; break;
                case "emperor-pg-host": s = s with { PgHost = value }; break;
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
        }, errors);
    }

    /// <summary>uWSGI's boolean reading: present means true unless false/off/no/0.</summary>
    public static bool Bool(string value) =>
        !(value.Equals("false", StringComparison.OrdinalIgnoreCase)
          || value.Equals("off", StringComparison.OrdinalIgnoreCase)
          || value.Equals("no", StringComparison.OrdinalIgnoreCase)
          || value == "0");

    private static TimeSpan Seconds(string key, string value, List<string> errors, TimeSpan fallback, bool allowZero)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0)))
        {
            return TimeSpan.FromSeconds(n);
        }

        errors.Add($"option --{key}: \"{value}\" is not a whole number of seconds greater than 0");
        return fallback;
    }

    private static TimeSpan Millis(string key, string value, List<string> errors, TimeSpan fallback)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            return TimeSpan.FromMilliseconds(n);
        }

        errors.Add($"option --{key}: \"{value}\" is not a whole number of milliseconds (0 or more)");
        return fallback;
    }
}
