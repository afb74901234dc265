using System.Globalization;
using Emperor.Core.Config;

namespace Emperor.Core.VassalRole;

/// <summary>
/// Turns a loaded vassal config into a <see cref="VassalPlan"/>. Pure. Scalars: the last occurrence wins;
/// lists accumulate (spec §12.5). Every bad value is an error naming the option.
/// </summary>
internal static partial class VassalPlanner
{
    /// <summary>uWSGI options that need uWSGI itself to host an app; our vassal role only runs programs.</summary>
    private static readonly HashSet<string> s_appServer = new(StringComparer.Ordinal)
    {
        "module", "wsgi-file", "wsgi", "file", "mount", "callable", "processes", "workers", "psgi", "rack",
        "plugin", "plugins", "wsgi-env-behaviour", "pymodule-alias", "eval", "app", "lazy-apps", "threads",
    };

    /// <param name="options">The loaded options, in order.</param>
    /// <param name="locations">Where each option was written (same index), to name file and line in a refusal; may be empty.</param>
    public static (VassalPlan Plan, List<string> Errors) Plan(IReadOnlyList<ConfigOption> options, IReadOnlyList<ConfigLocation>? locations = null)
    {
        var errors = new List<string>();
        var plan = new VassalPlan();
        var sockets = new List<SocketSpec>();
        var env = new List<KeyValuePair<string, string>>();
        var unenv = new List<string>();
        var addGids = new List<string>();
        var appServer = new List<string>();
        var ignored = new List<string>();
        var emperorCgroup = new List<(KeyValuePair<string, string>, string)>();
        var jail = new JailDraft();
        var log = new LogDraft();
        for (var index = 0; index < options.Count; index++)
        {
            var (key, raw) = options[index];
            var value = raw ?? string.Empty;
            ConfigLocation? where = locations is not null && index < locations.Count ? locations[index] : null;
            switch (key)
            {
                case "socket" or "http-socket" or "uwsgi-socket" or "shared-socket" or "s":
                    if (TryParseAddress(key == "s" ? "socket" : key, value, out var spec, out var why))
                    {
                        sockets.Add(spec);
                    }
                    else
                    {
                        errors.Add($"{key} = {value}: {why}");
                    }

                    break;
                case "listen" or "l":
                    plan = plan with { ListenBacklog = Int(key, value, errors, plan.ListenBacklog, min: 1) };
                    break;
                case "chmod-socket" or "chmod":
                    plan = plan with { ChmodSocket = value.Length == 0 ? 438 : Octal(key, value, errors) };
                    break;
                case "chown-socket":
                    plan = plan with { ChownSocket = value };
                    break;
                case "privileged-binary-patch":
                    plan = plan with { PrivilegedPatch = new PatchSpec(key, value, false) };
                    break;
                case "privileged-binary-patch-arg":
                    plan = plan with { PrivilegedPatch = new PatchSpec(key, value, true) };
                    break;
                case "unprivileged-binary-patch":
                    plan = plan with { UnprivilegedPatch = new PatchSpec(key, value, false) };
                    break;
                case "unprivileged-binary-patch-arg":
                    plan = plan with { UnprivilegedPatch = new PatchSpec(key, value, true) };
                    break;
                case "logto" or "logto2" or "daemonize" or "d" or "log-truncate" or "logfile-chmod" or "log-maxsize" or "log-backupname":
                    PlanLog(key == "d" ? "daemonize" : key, value, where, log, errors);
                    break;
                case "chdir" or "chdir2":
                    plan = plan with { Chdir = value };
                    break;
                case "env":
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    env.Add(eq < 0 ? new(value, string.Empty) : new(value[..eq], value[(eq + 1)..]));
                    break;
                case "unenv":
                    unenv.Add(value);
                    break;
                case "umask":
                    plan = plan with { Umask = Octal(key, value, errors) };
                    break;
                case "limit-as":
                    plan = plan with { LimitAs = Long(key, value, errors) * 1024 * 1024 };
                    break;
                case "limit-nproc":
                    plan = plan with { LimitNproc = Long(key, value, errors) };
                    break;
                case "max-fd":
                    plan = plan with { MaxFd = Long(key, value, errors) };
                    break;
                case "chroot":
                    plan = plan with { Chroot = value };
                    break;
                case "uid":
                    plan = plan with { Uid = value };
                    break;
                case "gid":
                    plan = plan with { Gid = value };
                    break;
                case "add-gid":
                    addGids.Add(value);
                    break;
                case "initgroups":
                    plan = plan with { InitGroups = Bool(value) };
                    break;
                case "no-initgroups":
                    plan = plan with { InitGroups = !Bool(value) };
                    break;
                case "emperor-cgroup-opt":
                    if (Cgroups.CgroupOption.TryParse(value, out var cgroupOption, out var cgroupError))
                    {
                        emperorCgroup.Add((cgroupOption, VassalOptionRules.Where(where)));
                    }
                    else
                    {
                        errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: {cgroupError}");
                    }

                    break;
                default:
                    if (PlanJail(key, value, where, jail, errors))
                    {
                        break;
                    }

                    if (VassalOptionRules.RefusalReason(key) is { } reason)
                    {
                        errors.Add(VassalOptionRules.Refusal(where, key, value, reason));
                    }
                    else if (VassalOptionRules.MistypedGuardedOption(key) is { } meant)
                    {
                        errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: unknown option; did you mean {meant}? (uWSGI refuses an unknown option; ignored, this one could run the program without what the file asks for)");
                    }
                    else if (!VassalOptionRules.IsConfigLanguage(key) && !ignored.Contains(key))
                    {
                        ignored.Add(key);
                    }

                    if (s_appServer.Contains(key))
                    {
                        appServer.Add(key);
                    }

                    break;
            }
        }

        (var logTo, var logTo2) = log.Build();
        plan = plan with { LogTo = logTo, LogTo2 = logTo2, Sockets = sockets, Env = env, Unenv = unenv, AddGids = addGids, AppServerOptions = appServer, IgnoredOptions = ignored, EmperorCgroupOptions = emperorCgroup, Jail = jail.Build() };
        JailChecks(plan.Jail, errors);
        if (plan.PrivilegedPatch is null && plan.UnprivilegedPatch is null)
        {
            errors.Add(appServer.Count > 0
                ? $"this config needs uWSGI to host an app ({string.Join(", ", appServer.Distinct())}): the Emperor's vassal role only runs programs (binary patches); start the Emperor with --binary-path /usr/bin/uwsgi to run such vassals with real uWSGI"
                : "nothing to run: set unprivileged-binary-patch-arg (a command line) or unprivileged-binary-patch (a program), or run the Emperor with --binary-path /usr/bin/uwsgi");
        }

        return (plan, errors);
    }

    /// <summary>
    /// The log options (core/logging.c): <c>daemonize</c> wins over <c>logto</c> (uWSGI under an Emperor only logs to
    /// it); <c>logto2</c> is opened again after the privilege drop; <c>log-maxsize</c> and <c>log-backupname</c> rotate
    /// whichever file is opened last. A <c>HOST:PORT</c> (any colon: uWSGI's test) would be UDP, which is refused.
    /// </summary>
    private static void PlanLog(string key, string value, ConfigLocation? where, LogDraft log, List<string> errors)
    {
        switch (key)
        {
            case "logto" or "logto2" or "daemonize":
                if (value.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key} = {value}: logging to a UDP address is not supported by the Emperor's vassal role; name a file, or {VassalOptionRules.RealUwsgiHint}");
                }
                else if (value.Length == 0)
                {
                    errors.Add($"{VassalOptionRules.Where(where)}{key}: needs a file name");
                }
                else if (key == "logto2")
                {
                    log.LogTo2 = value;
                }
                else if (key == "daemonize")
                {
                    log.Daemonize = value;
                }
                else
                {
                    log.LogTo = value;
                }

                break;
            case "log-truncate":
                log.Truncate = Bool(value);
                break;
            case "logfile-chmod":
                // uWSGI: exactly three octal digits.
                if (value.Length == 3 && value.All(c => c is >= '0' and <= '7'))
                {
                    log.Chmod = Convert.ToInt32(value, 8);
                }
                else
                {
                    errors.Add($"{VassalOptionRules.Where(where)}logfile-chmod = {value}: expected three octal digits such as 640");
                }

                break;
            case "log-maxsize":
                log.MaxSize = Long(key, value, errors);
                break;
            default:
                log.BackupName = value.Length > 0 ? value : null;
                break;
        }
    }

    private sealed class LogDraft
    {
        public string? LogTo { get; set; }

        public string? LogTo2 { get; set; }

        public string? Daemonize { get; set; }

        public bool Truncate { get; set; }

        public int? Chmod { get; set; }

        public long? MaxSize { get; set; }

        public string? BackupName { get; set; }

        public (LogSpec? LogTo, LogSpec? LogTo2) Build()
        {
            LogSpec? Spec(string option, string? path) => path is null ? null : new LogSpec(option, path)
            {
                Truncate = Truncate,
                Chmod = Chmod,
                MaxSize = MaxSize is > 0 ? MaxSize : null,
                BackupName = BackupName,
            };
            return (Daemonize is not null ? Spec("daemonize", Daemonize) : Spec("logto", LogTo), Spec("logto2", LogTo2));
        }
    }

    /// <summary>TCP <c>host:port</c> (IPv4, <c>[v6]:port</c>, <c>:port</c>, port 0), UNIX <c>/path</c>, abstract <c>@name</c>.</summary>
    public static bool TryParseAddress(string option, string value, out SocketSpec spec, out string why)
    {
        spec = null!;
        why = string.Empty;
        if (value.Length == 0)
        {
            why = "empty address";
            return false;
        }

        if (value[0] == '@')
        {
            spec = new SocketSpec(option, value, SocketAddressKind.Abstract, string.Empty, 0, value[1..]);
            return true;
        }

        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            spec = new SocketSpec(option, value, SocketAddressKind.Unix, string.Empty, 0, value);
            return true;
        }

        var host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            why = "the port must be a number from 0 to 65535";
            return false;
        }

        spec = new SocketSpec(option, value, SocketAddressKind.Tcp, host, port, string.Empty);
        return true;
    }

    private static int Int(string key, string value, List<string> errors, int fallback, int min)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min)
        {
            return n;
        }

        errors.Add($"{key} = {value}: expected a whole number of at least {min}");
        return fallback;
    }

    private static long? Long(string key, string value, List<string> errors)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            return n;
        }

        errors.Add($"{key} = {value}: expected a whole number");
        return null;
    }

    private static int? Octal(string key, string value, List<string> errors)
    {
        try
        {
            return Convert.ToInt32(value, 8);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            errors.Add($"{key} = {value}: expected an octal mode such as 022 or 660");
            return null;
        }
    }

    private static bool Bool(string value) =>
        !(value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase)
          || value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase));
}
