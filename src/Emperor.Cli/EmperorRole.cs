using Emperor.Amqp;
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
using Emperor.Zmq;
using Microsoft.Extensions.Logging;

namespace Emperor.Cli;

/// <summary>
/// Composition root of the Emperor role: settings, monitors, launcher, loop, and the command socket (at the
/// default place unless <c>--emperor-command-socket</c> says otherwise, so that <c>emperor ls</c> needs no flags).
/// </summary>
internal static partial class EmperorRole
{
    public static int Run(IReadOnlyList<KeyValuePair<string, string>> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("emperor");
        var (settings, errors) = EmperorSettingsReader.Read(options, Directory.Exists);
        foreach (var e in errors)
        {
            Console.Error.WriteLine("emperor: " + e);
        }

        if (errors.Count > 0)
        {
            return 1;
        }

        InheritedFds.MarkCloseOnExec(); // vassals get exactly the fds the spawner lists
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
        using var output = LogCapture.Start(settings, logger, out var logError);
        if (output is null)
        {
            Console.Error.WriteLine("emperor: " + logError);
            return 1;
        }

        var cgroups = OpenCgroups(settings.CgroupDirectory, logger);
        using var guardian = Guardian.Start();
        using var reaper = new Reaper();
        using var readiness = new Unix.Net.ReadinessWatcher();
        var host = new EmperorHost
        {
            Launcher = new VassalLauncher(self, reaper, guardian, output.Capture),
            Logs = output.Hub,
            Time = TimeProvider.System,
            Logger = logger,
            Environment = env,
            SelfExecutable = self,
            Identity = ((int)Sys.getuid(), (int)Sys.getgid()),
            Notify = notify,
            ParentLinkFd = ParentLinkFd(),
            SystemdNotifySocket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
            Preflight = ConfigFilePreflight.Check,
            SocketBinder = Unix.Net.ListeningSockets.Instance,
            ConfigReader = new VassalConfigReader(new SystemConfigHost(VersionInfo.Version)),
            Announcer = new Hosting.Net.DatagramSender(logger, TimeProvider.System),
            Readiness = readiness,
            ReadFirstLine = Unix.Net.OnDemandNames.ReadFirstLine,
            RunOnDemandExec = Unix.Net.OnDemandNames.RunExecAsync,
            Cgroups = cgroups,
        };

        // This role hosts the command socket itself (with the stats request `emperor ls` uses); the service gets none.
        var commandSocket = settings.CommandSocket;
        var service = new EmperorService(host, settings with { CommandSocket = null }, monitors);
        CommandServer? commands;
        try
        {
            commands = OpenCommandSocket(commandSocket, settings.EmperorId, service, logger, output.Hub);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine("emperor: --emperor-command-socket " + commandSocket + ": " + e.Message);
            service.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 1;
        }

        int code;
        try
        {
            code = service.Run(handleSignals: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine("emperor: " + e.Message);
            commands?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 1;
        }

        commands?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return code;
    }

    /// <summary>
    /// The explicit socket (a failure is fatal, as before), none, or the default place: there a socket another
    /// live Emperor answers on is left alone (one line, and this one goes on without), a stale one replaced.
    /// </summary>
    private static CommandServer? OpenCommandSocket(string? explicitPath, string? id, EmperorService service, ILogger logger, Hosting.Logs.LogHub logs)
    {
        if (explicitPath == "none")
        {
            return null;
        }

        if (explicitPath is not null)
        {
            var chosen = new CommandServer(explicitPath, service.ExecuteCommandAsync, logger, service.RequestStatsAsync, replaceLive: true, logs);
            chosen.Start();
            return chosen;
        }

        var directory = CommandSocketPlace.Directory(Sys.getuid() == 0);
        if (directory is null)
        {
            LogNoDefaultPlace(logger);
            return null;
        }

        var path = Path.Combine(directory, CommandSocketPlace.FileName(id));
        var server = new CommandServer(path, service.ExecuteCommandAsync, logger, service.RequestStatsAsync, replaceLive: false, logs);
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            server.Start();
            return server;
        }
        catch (Hosting.Net.SocketHeldException)
        {
            LogDefaultHeld(logger, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogDefaultFailed(logger, path, e.Message);
        }

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return null;
    }

    /// <summary><c>--emperor-cgroup DIR</c>: one line either way; without a usable DIR the vassals run as without the option.</summary>
    private static Unix.Cgroups.VassalCgroups? OpenCgroups(string? dir, ILogger logger)
    {
        if (dir is null)
        {
            return null;
        }

        var cgroups = Unix.Cgroups.VassalCgroups.Open(dir, out var error);
        if (cgroups is null)
        {
            LogNoCgroups(logger, dir, error ?? "unknown error");
        }
        else
        {
            LogCgroups(logger, dir, cgroups.Description);
        }

        return cgroups;
    }

    [LoggerMessage(EventId = 48, Level = LogLevel.Information, Message = "[emperor] --emperor-cgroup {Dir}: every vassal gets a cgroup of its own: {Layout}")]
    private static partial void LogCgroups(ILogger logger, string dir, string layout);

    [LoggerMessage(EventId = 49, Level = LogLevel.Warning, Message = "[emperor] --emperor-cgroup {Dir}: {Error}; vassals run without cgroups of their own")]
    private static partial void LogNoCgroups(ILogger logger, string dir, string error);

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "[emperor] another running Emperor answers on the default command socket {Path}; this one goes on without it (give each Emperor --emperor-id NAME, or --emperor-command-socket PATH)")]
    private static partial void LogDefaultHeld(ILogger logger, string path);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning, Message = "[emperor] cannot open the default command socket {Path} ({Error}); going on without it (--emperor-command-socket PATH chooses another place)")]
    private static partial void LogDefaultFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 47, Level = LogLevel.Information, Message = "[emperor] no default command socket: XDG_RUNTIME_DIR is not set (--emperor-command-socket PATH opens one)")]
    private static partial void LogNoDefaultPlace(ILogger logger);

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

        if (source.StartsWith(AmqpSource.Scheme, StringComparison.Ordinal))
        {
            var parsed = AmqpSource.Parse(source, out error);
            var options = new AmqpMonitorOptions { WorkingDirectory = startup, ExtraExtensions = settings.ExtraExtensions };
            return parsed is null ? null : new AmqpMonitor(parsed, options, fs, loggers.CreateLogger("emperor-amqp"), TimeProvider.System);
        }

        if (source.StartsWith(ZmqEndpoint.Scheme, StringComparison.Ordinal))
        {
            var options = new ZmqMonitorOptions { WorkingDirectory = startup, ExtraExtensions = settings.ExtraExtensions };
            return ZmqMonitor.Create(source, options, fs, loggers.CreateLogger("emperor-zeromq"), TimeProvider.System, out error);
        }

        if (source.Contains("://", StringComparison.Ordinal))
        {
            error = "unknown imperial monitor scheme (supported: dir://, glob://, pg://, amqp://, zmq://)";
            return null;
        }

        // uWSGI: an existing directory is dir://, anything else (patterns, files, missing paths) is glob:// (spec §2.1).
        // A missing path that does not name a vassal file is a directory that is not there yet: watch for it.
        var isPattern = source.IndexOfAny(['*', '?', '[']) >= 0;
        var full = Path.GetFullPath(source, startup);
        if (!isPattern && (Directory.Exists(full) || (!File.Exists(full) && !Core.Vassals.VassalFormat.IsVassalName(Path.GetFileName(full.TrimEnd('/')), settings.ExtraExtensions))))
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

    private static DirectoryMonitor Dir(string path, string startup, EmperorSettings settings, ILogger logger, out string? error)
    {
        // A directory that does not exist yet is reported by the monitor and picked up when it appears.
        var full = Path.GetFullPath(path, startup);
        error = null;
        return new DirectoryMonitor(full.TrimEnd('/').Length == 0 ? "/" : full.TrimEnd('/'), UnixFileSystem.Instance, settings, logger);
    }
}
