using Emperor.Core.Abstractions;
using Emperor.Core.Emperor;
using Emperor.Hosting;
using Emperor.Hosting.Monitors;
using Emperor.Postgres;
using Emperor.Unix.Config;
using Emperor.Unix.FileSystem;
using Emperor.Unix.Interop;
using Emperor.Unix.Notify;
using Emperor.Unix.Processes;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli;

/// <summary>Composition root of the Emperor role: settings, monitors, launcher, loop.</summary>
internal static class EmperorRole
{
    public static int Run(IReadOnlyList<KeyValuePair<string, string>> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("emperor");
        var (settings, errors) = EmperorSettingsReader.Read(options);
        foreach (var e in errors)
        {
            Console.Error.WriteLine("emperor: " + e);
        }

        if (errors.Count > 0)
        {
            return 1;
        }

        var self = Environment.ProcessPath ?? "/proc/self/exe";
        var startup = Directory.GetCurrentDirectory();
        var monitors = new List<IImperialMonitor>();
        foreach (var source in settings.Sources)
        {
            var monitor = CreateMonitor(source, startup, settings, loggers, logger, out var error);
            if (monitor is null)
            {
                Console.Error.WriteLine($"emperor: --emperor {source}: {error}");
                return 1;
            }

            monitors.Add(monitor);
        }

        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        var notify = new NotifyListener($"emperor/{Environment.ProcessId}/notify");
        using var guardian = Guardian.Start();
        using var reaper = new Reaper();
        var host = new EmperorHost
        {
            Launcher = new VassalLauncher(self, reaper, guardian),
            Time = TimeProvider.System,
            Logger = logger,
            Environment = env,
            SelfExecutable = self,
            Identity = ((int)Sys.getuid(), (int)Sys.getgid()),
            Notify = notify,
            ParentLinkFd = ParentLinkFd(),
            SystemdNotifySocket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
            Preflight = ConfigFilePreflight.Check,
        };
        var service = new EmperorService(host, settings, monitors);
        int code;
        try
        {
            code = service.Run(handleSignals: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine("emperor: " + e.Message);
            return 1;
        }

        service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return code;
    }

    /// <summary>This Emperor's own link when it runs as a vassal (a sub-Emperor), or null.</summary>
    private static int? ParentLinkFd()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("UWSGI_EMPEROR_FD"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd))
        {
            return null;
        }

        // Our own link must not reach our vassals.
        Sys.fcntl(fd, Sys.F_SETFD, Sys.FD_CLOEXEC);
        return fd;
    }

    private static IImperialMonitor? CreateMonitor(string source, string startup, EmperorSettings settings, ILoggerFactory loggers, ILogger logger, out string? error)
    {
        error = null;
        var fs = UnixFileSystem.Instance;
        if (source.StartsWith("dir://", StringComparison.Ordinal))
        {
            return Dir(source["dir://".Length..], startup, settings, logger, out error);
        }

        if (source.StartsWith("glob://", StringComparison.Ordinal))
        {
            return new GlobMonitor(source["glob://".Length..], startup, fs, settings, logger);
        }

        if (source.StartsWith(PgSource.Scheme, StringComparison.Ordinal))
        {
            return Pg(source, startup, settings, loggers, out error);
        }

        if (source.Contains("://", StringComparison.Ordinal))
        {
            error = "unknown imperial monitor scheme (supported: dir://, glob://, pg://)";
            return null;
        }

        // uWSGI: an existing directory is dir://, anything else (patterns, files, missing paths) is glob:// (spec §2.1).
        if (source.IndexOfAny(['*', '?', '[']) < 0 && Directory.Exists(source))
        {
            return Dir(source, startup, settings, logger, out error);
        }

        return new GlobMonitor(source, startup, fs, settings, logger);
    }

    /// <summary>pg:// (spec §2.5): vassals from PostgreSQL, pushed by LISTEN/NOTIFY (docs/postgres.md).</summary>
    private static PostgresMonitor? Pg(string source, string startup, EmperorSettings settings, ILoggerFactory loggers, out string? error)
    {
        var parsed = PgSource.Parse(source, Environment.GetEnvironmentVariable, Environment.UserName, out error);
        if (parsed is null)
        {
            return null;
        }

        var options = new PostgresMonitorOptions
        {
            Host = settings.PgHost ?? Environment.MachineName,
            Rules = new SnapshotRules(settings.Tyrant, settings.ExtraExtensions),
            ResyncPeriod = settings.Frequency,
            WorkingDirectory = startup,
        };
        return new PostgresMonitor(parsed, options, loggers.CreateLogger("emperor-pg"), TimeProvider.System);
    }

    private static DirectoryMonitor? Dir(string path, string startup, EmperorSettings settings, ILogger logger, out string? error)
    {
        var full = Path.GetFullPath(path, startup);
        if (!Directory.Exists(full))
        {
            error = $"directory {full} does not exist";
            return null;
        }

        error = null;
        return new DirectoryMonitor(full.TrimEnd('/').Length == 0 ? "/" : full.TrimEnd('/'), UnixFileSystem.Instance, settings, logger);
    }
}
