using System.Collections;
using System.Globalization;

namespace Emperor.TestVassal;

/// <summary>
/// The settings of one run. <c>TESTVASSAL_*</c> environment variables are read first (so a vassal
/// config can drive the dummy through <c>env =</c> lines), then argv; for single values argv wins,
/// list values (<c>--send</c>, <c>--notify</c>) accumulate. <c>--foo-bar</c> maps to
/// <c>TESTVASSAL_FOO_BAR</c>; flags take 1/true/yes or 0/false/no in the environment or as
/// <c>--flag=VALUE</c>. Unknown arguments are ignored (and logged), because an Emperor may start
/// the dummy with uWSGI's own argv (<c>--ini FILE</c>, spec §3.2.2 and §11).
/// </summary>
internal sealed class VassalOptions
{
    private const string EnvPrefix = "TESTVASSAL_";

    private static readonly string[] s_valueOptions =
        ["exit", "crash-after", "report", "send", "heartbeat", "notify", "notify-every", "log-signals"];

    private static readonly string[] s_flagOptions =
        ["ignore-sigterm", "protocol", "reload-exit", "spawn-child", "setsid", "grandchild", "help"];

    public int? ExitCode { get; private set; }

    public int? CrashAfterMs { get; private set; }

    public bool IgnoreSigterm { get; private set; }

    public string? ReportPath { get; private set; }

    public bool Protocol { get; private set; }

    public List<byte> Send { get; } = [];

    public int? HeartbeatMs { get; private set; }

    public bool ReloadExit { get; private set; }

    public List<string> Notify { get; } = [];

    public int? NotifyEveryMs { get; private set; }

    public bool SpawnChild { get; private set; }

    public bool Setsid { get; private set; }

    public string? LogSignalsPath { get; private set; }

    /// <summary>Set on the process that <c>--spawn-child</c> starts; it only sleeps.</summary>
    public bool Grandchild { get; private set; }

    public bool Help { get; private set; }

    public List<string> Errors { get; } = [];

    public List<string> Ignored { get; } = [];

    public static VassalOptions Parse(IReadOnlyList<string> args, IDictionary environment)
    {
        var options = new VassalOptions();
        foreach (var name in s_valueOptions.Concat(s_flagOptions))
        {
            var key = EnvPrefix + name.ToUpperInvariant().Replace('-', '_');
            if (environment[key] is string value)
            {
                options.Apply(name, value);
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                options.Ignored.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            string? inline = equals < 0 ? null : arg[(equals + 1)..];
            if (s_flagOptions.Contains(name))
            {
                options.Apply(name, inline ?? "1");
            }
            else if (s_valueOptions.Contains(name))
            {
                if (inline is null && i + 1 >= args.Count)
                {
                    options.Errors.Add($"--{name} needs a value");
                    continue;
                }

                options.Apply(name, inline ?? args[++i]);
            }
            else
            {
                options.Ignored.Add(arg);
            }
        }

        options.Validate();
        return options;
    }

    private void Apply(string name, string value)
    {
        switch (name)
        {
            case "exit": ExitCode = ParseInt(name, value, 0, 255); break;
            case "crash-after": CrashAfterMs = ParseInt(name, value, 0, int.MaxValue); break;
            case "report": ReportPath = NonEmpty(name, value); break;
            case "send": Send.AddRange(ParseBytes(value)); break;
            case "heartbeat": HeartbeatMs = ParseInt(name, value, 1, int.MaxValue); break;
            case "notify": Notify.Add(value); break;
            case "notify-every": NotifyEveryMs = ParseInt(name, value, 1, int.MaxValue); break;
            case "log-signals": LogSignalsPath = NonEmpty(name, value); break;
            case "ignore-sigterm": IgnoreSigterm = ParseBool(name, value); break;
            case "protocol": Protocol = ParseBool(name, value); break;
            case "reload-exit": ReloadExit = ParseBool(name, value); break;
            case "spawn-child": SpawnChild = ParseBool(name, value); break;
            case "setsid": Setsid = ParseBool(name, value); break;
            case "grandchild": Grandchild = ParseBool(name, value); break;
            case "help": Help = ParseBool(name, value); break;
            default: throw new InvalidOperationException($"option table and switch disagree on '{name}'");
        }
    }

    private void Validate()
    {
        if (!Protocol && (Send.Count > 0 || HeartbeatMs is not null || ReloadExit))
        {
            Errors.Add("--send, --heartbeat and --reload-exit need --protocol");
        }

        if (NotifyEveryMs is not null && Notify.Count == 0)
        {
            Errors.Add("--notify-every needs --notify MSG");
        }
    }

    private int? ParseInt(string name, string value, int min, int max)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        Errors.Add($"--{name}: '{value}' is not an integer in [{min}, {max}]");
        return null;
    }

    private List<byte> ParseBytes(string value)
    {
        var bytes = new List<byte>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
            }
            else
            {
                Errors.Add($"--send: '{part}' is not a byte value (0-255)");
            }
        }

        return bytes;
    }

    private string? NonEmpty(string name, string value)
    {
        if (value.Length > 0)
        {
            return value;
        }

        Errors.Add($"--{name} needs a non-empty value");
        return null;
    }

    private bool ParseBool(string name, string value)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "1" or "TRUE" or "YES" or "ON": return true;
            case "" or "0" or "FALSE" or "NO" or "OFF": return false;
            default:
                Errors.Add($"--{name}: '{value}' is not a boolean (1/0, true/false, yes/no)");
                return false;
        }
    }
}
