using System.Globalization;
using Emperor.Core.Config;

namespace Emperor.Core.VassalRole;

internal enum ReloadMode
{
    /// <summary>Stop the old instance, then start the new one (the default; with held sockets no connection is refused).</summary>
    Restart,

    /// <summary>Start the new instance on the same sockets, wait until it is ready, then stop the old one.</summary>
    Overlap,
}

/// <summary>
/// How the Emperor supervises one vassal, from options in the vassal's own file that only the Emperor reads:
/// <c>reload-mode</c> (restart | overlap), <c>ready-check</c> (tcp | http://HOST:PORT/PATH), <c>ready-timeout</c>
/// (seconds, 30) and <c>stop-signal</c> (the graceful stop signal: TERM, QUIT, INT, HUP, USR1, USR2, WINCH or a number).
/// </summary>
internal sealed record Supervision(ReloadMode Mode, string? ReadyCheck, TimeSpan ReadyTimeout, int StopSignal)
{
    public static readonly Supervision Default = new(ReloadMode.Restart, null, TimeSpan.FromSeconds(30), Signals.Sigterm);

    /// <summary>Reads the options (the last occurrence wins); every bad value is one error naming the option.</summary>
    public static (Supervision Value, List<string> Errors) Read(IReadOnlyList<ConfigOption> options, ReloadMode defaultMode)
    {
        var errors = new List<string>();
        var s = Default with { Mode = defaultMode };
        foreach (var (key, raw) in options)
        {
            var value = (raw ?? string.Empty).Trim();
            switch (key)
            {
                case "reload-mode":
                    if (TryMode(value, out var mode))
                    {
                        s = s with { Mode = mode };
                    }
                    else
                    {
                        errors.Add($"reload-mode = {value}: expected restart or overlap");
                    }

                    break;
                case "ready-check":
                    if (value == "tcp" || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.Port > 0))
                    {
                        s = s with { ReadyCheck = value };
                    }
                    else
                    {
                        errors.Add($"ready-check = {value}: expected tcp or http://HOST:PORT/PATH");
                    }

                    break;
                case "ready-timeout":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86400)
                    {
                        s = s with { ReadyTimeout = TimeSpan.FromSeconds(seconds) };
                    }
                    else
                    {
                        errors.Add($"ready-timeout = {value}: expected a whole number of seconds from 1 to 86400");
                    }

                    break;
                case "stop-signal":
                    if (TrySignal(value, out var signal))
                    {
                        s = s with { StopSignal = signal };
                    }
                    else
                    {
                        errors.Add($"stop-signal = {value}: expected a signal name such as TERM, QUIT or INT, or its number");
                    }

                    break;
                default:
                    break;
            }
        }

        return (s, errors);
    }

    public static bool TryMode(string value, out ReloadMode mode)
    {
        mode = value switch
        {
            "restart" => ReloadMode.Restart,
            "overlap" => ReloadMode.Overlap,
            _ => (ReloadMode)(-1),
        };
        return mode is ReloadMode.Restart or ReloadMode.Overlap;
    }

    private static bool TrySignal(string value, out int signal)
    {
        var name = value.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        signal = name switch
        {
            "TERM" => Signals.Sigterm,
            "QUIT" => Signals.Sigquit,
            "INT" => Signals.Sigint,
            "HUP" => Signals.Sighup,
            "USR1" => Signals.Sigusr1,
            "USR2" => Signals.Sigusr2,
            "WINCH" => Signals.Sigwinch,
            _ => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= Signals.Max && n != Signals.Sigkill && n != Signals.Sigstop ? n : 0,
        };
        return signal != 0;
    }
}
