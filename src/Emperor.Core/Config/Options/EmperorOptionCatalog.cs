using System.Collections.Frozen;

namespace Emperor.Core.Config.Options;

/// <summary>
/// The one table of Emperor (and vassal-role) options that people read: <c>emperor --help</c>,
/// <c>emperor help OPTION</c>, docs/emperor.1, shell completion and the check of every value before anything
/// starts all come from here, so none of them can drift from the others. Names and argument shapes stay those
/// of <see cref="UwsgiOptionTable"/> (the config language's table); a test holds the two together.
/// </summary>
internal static class EmperorOptionCatalog
{
    private static readonly Lazy<(EmperorOptionSpec[] All, FrozenDictionary<string, EmperorOptionSpec> ByName)> s_table = new(Build);

    /// <summary>Every option, in help order.</summary>
    public static IReadOnlyList<EmperorOptionSpec> All => s_table.Value.All;

    /// <summary>The option named <paramref name="name"/> (or one of its aliases), or null.</summary>
    public static EmperorOptionSpec? Find(string name) =>
        s_table.Value.ByName.TryGetValue(name.TrimStart('-'), out var spec) ? spec : null;

    /// <summary>The heading of a group in help text.</summary>
    public static string Heading(EmperorOptionGroup group) => group switch
    {
        EmperorOptionGroup.Sources => "Sources (where vassal files come from)",
        EmperorOptionGroup.Lifecycle => "Lifecycle (how vassals are started, reloaded and stopped)",
        EmperorOptionGroup.Judgement => "Judgement (blacklist, throttle, heartbeat, loyalty)",
        EmperorOptionGroup.Tyrant => "Tyrant (vassals run as the owners of their files)",
        EmperorOptionGroup.Jails => "Jails (a cgroup of its own and a capability bounding set for every vassal)",
        EmperorOptionGroup.StatsControl => "Stats and control",
        EmperorOptionGroup.Logs => "Logs",
        EmperorOptionGroup.Sockets => "Sockets",
        EmperorOptionGroup.Routers => "Routers",
        EmperorOptionGroup.Vassal => "Vassal role (emperor --ini FILE, and what a vassal file may say)",
        _ => group.ToString(),
    };

    private static (EmperorOptionSpec[], FrozenDictionary<string, EmperorOptionSpec>) Build()
    {
        EmperorOptionSpec[] all =
        [
            // Sources
            U("emperor", EmperorOptionGroup.Sources, OptionValueKind.Source, "SOURCE", null,
                "where vassal files come from: a directory, a glob, glob://, dir://, pg://CONNINFO[;QUERY], amqp://HOST[:PORT] or zmq://ENDPOINT; repeatable",
                "A directory is watched for vassal files (.ini, .xml, .yaml, .yml, .json, .js) with inotify and rescanned every --emperor-freq seconds. "
                + "A pattern with *, ? or [ (or glob://PATTERN) is expanded by glob(3). pg://CONNINFO[;QUERY] reads vassals from PostgreSQL (docs/postgres.md). "
                + "amqp://[USER:PASSWORD@]HOST[:PORT][/VHOST] and zmq://ENDPOINT take uWSGI's emperor_amqp and emperor_zeromq messages (docs/monitors.md). "
                + "A source that does not exist yet is reported once and picked up when it appears. Give it several times for several sources.") with { Repeatable = true },
            U("emperor-freq", EmperorOptionGroup.Sources, OptionValueKind.Seconds, "SECONDS", "3",
                "rescan every source this often (inotify reacts at once; the rescan is the safety net)",
                "The period of the full rescan of every source. Directories and globs are also watched with inotify, so a change is seen within milliseconds; "
                + "the rescan catches what inotify cannot see (network file systems, overflowed queues)."),
            U("emperor-extra-extension", EmperorOptionGroup.Sources, OptionValueKind.Text, "EXT", null,
                "also treat files ending in EXT as vassals; repeatable",
                "Files whose name ends in EXT are vassals too (run with --config). Alias: --emperor-extra-ext.", "emperor-extra-ext") with { Repeatable = true },
            U("emperor-nofollow", EmperorOptionGroup.Sources, OptionValueKind.Flag, "", "off",
                "do not follow symbolic links when checking a vassal file's modification time",
                "A symlinked vassal is reloaded when the link itself changes, not when its target does."),
            O("emperor-pg-host", EmperorOptionGroup.Sources, OptionValueKind.Name, "NAME", "the host name",
                "this Emperor's name in a pg:// fleet (the host of its status rows, setting emperor.host)",
                "With a pg:// source, the Emperor's rows in the status table are written under this name, and the session setting emperor.host is set to it so the query can select this host's vassals."),

            // Lifecycle
            U("binary-path", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "PATH", "this executable",
                "the executable each vassal runs (e.g. /usr/bin/uwsgi); by default this binary's vassal role",
                "Vassals are started as PATH [--inherit/--include/--set ...] --ini FILE. Without it they run this executable's own vassal role, which binds the declared sockets, drops privileges and execs the program."),
            U("emperor-wrapper", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "PATH", null,
                "run vassals through PATH (argv[0] and executable) instead of the binary path",
                "The vassal's command line is unchanged but PATH is executed (a wrapper script that sets things up and execs the real binary)."),
            U("vassals-inherit", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "FILE", null,
                "every vassal also reads FILE (after its own config); repeatable",
                "Passed to each vassal as --inherit FILE.") with { Repeatable = true },
            U("vassals-include", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "FILE", null,
                "every vassal also includes FILE (after its own config); repeatable",
                "Passed to each vassal as --include FILE.") with { Repeatable = true },
            U("vassals-inherit-before", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "FILE", null,
                "every vassal reads FILE before its own config; repeatable",
                "Passed to each vassal as --inherit FILE before --ini.") with { Repeatable = true },
            U("vassals-include-before", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "FILE", null,
                "every vassal includes FILE before its own config; repeatable",
                "Passed to each vassal as --include FILE before --ini.") with { Repeatable = true },
            U("vassal-set", EmperorOptionGroup.Lifecycle, OptionValueKind.Text, "KEY=VALUE", null,
                "set KEY=VALUE in every vassal (--set); repeatable",
                "Passed to each vassal as --set KEY=VALUE. Alias: --vassals-set.", "vassals-set") with { Repeatable = true },
            O("emperor-reload-mode", EmperorOptionGroup.Lifecycle, OptionValueKind.Text, "restart|overlap", "restart",
                "how vassals run by this binary's vassal role are reloaded when their file changes",
                "restart: the old instance is stopped, then the new one started (the sockets the Emperor holds keep queueing connections meanwhile). "
                + "overlap: the new instance starts on the same sockets, and the old one is stopped only once the new one is ready (READY=1, byte 1, 5 or 17, or its ready-check); "
                + "if it dies or is not ready within ready-timeout, it is killed and the old one keeps serving. A vassal file's own reload-mode wins. Real uWSGI vassals keep their graceful reload (byte 1)."),
            U("emperor-on-demand-directory", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "DIR", null,
                "on-demand vassals: hold DIR/NAME.socket and start the vassal at its first connection",
                "For each vassal the Emperor binds DIR/NAME.socket (NAME without its extension) and starts the vassal only when a connection arrives; "
                + "a uWSGI vassal gets the socket as fd 0, this binary's vassal role as its first LISTEN_FDS socket. When the vassal sends byte 22 (idle) or exits, the Emperor waits on the socket again. Alias: --emperor-on-demand-dir.",
                "emperor-on-demand-dir"),
            U("emperor-on-demand-extension", EmperorOptionGroup.Lifecycle, OptionValueKind.Text, "EXT", null,
                "on-demand vassals: the socket name is read from the file NAME+EXT beside the vassal file",
                "The file's first line is the socket: HOST:PORT for TCP, else a UNIX socket path. An absent or empty file: the vassal runs normally. Alias: --emperor-on-demand-ext.",
                "emperor-on-demand-ext"),
            U("emperor-on-demand-exec", EmperorOptionGroup.Lifecycle, OptionValueKind.Text, "CMD", null,
                "on-demand vassals: the socket name is the first line CMD prints for the vassal name",
                "Runs CMD NAME through /bin/sh (off the event loop, 10 s at most) when the vassal is first seen; empty output or a failure: the vassal runs normally."),
            U("emperor-curse-tolerance", EmperorOptionGroup.Lifecycle, OptionValueKind.Seconds, "SECONDS", "30",
                "how long a stopped vassal may take to die before SIGKILL",
                "After a vassal is told to stop (its file went away, or it is reloaded without the protocol), it gets this long before SIGKILL."),
            U("reload-mercy", EmperorOptionGroup.Lifecycle, OptionValueKind.Seconds, "SECONDS", "30",
                "Ragnarok's patience: how long vassals may take to stop when the Emperor stops",
                "When the Emperor stops (SIGINT, SIGTERM, SIGQUIT), every vassal is told to stop; whatever is left after this long is killed."),
            U("emperor-graceful-shutdown", EmperorOptionGroup.Lifecycle, OptionValueKind.Flag, "", "off",
                "stop vassals with SIGTERM (graceful) instead of SIGINT during Ragnarok",
                "uWSGI vassals treat SIGINT as brutal and SIGTERM as graceful; this flag makes Ragnarok graceful."),
            U("emperor-pidfile", EmperorOptionGroup.Lifecycle, OptionValueKind.Path, "FILE", null,
                "write the Emperor's pid to FILE",
                "The file is written at start and removed at exit."),

            // Judgement
            U("emperor-throttle", EmperorOptionGroup.Judgement, OptionValueKind.Milliseconds, "MS", "1000",
                "the step of the blacklist and of the spawn throttle; 0 disables the throttle",
                "A vassal that dies before it became loyal waits this long before its next start, one step more for every further death. Spawns that come together are spread out by a level that grows by this step."),
            U("emperor-max-throttle", EmperorOptionGroup.Judgement, OptionValueKind.Milliseconds, "MS", "180000",
                "the cap of the blacklist's wait",
                "However often a vassal dies, it never waits longer than this before its next start."),
            U("emperor-no-blacklist", EmperorOptionGroup.Judgement, OptionValueKind.Flag, "", "off",
                "never blacklist a vassal that dies early",
                "A vassal that dies before it became loyal is respawned at once (the spawn throttle still applies)."),
            U("emperor-required-heartbeat", EmperorOptionGroup.Judgement, OptionValueKind.Seconds, "SECONDS", "30",
                "after its first heartbeat, a vassal silent this long is reloaded",
                "A vassal that sent a heartbeat (byte 26 on the emperor link, or WATCHDOG=1) and then stays silent this long is considered hung and reloaded."),
            O("emperor-loyal-after", EmperorOptionGroup.Judgement, OptionValueKind.SecondsOrZero, "SECONDS", "60",
                "a vassal up this long counts as loyal even if it never says so; 0 disables",
                "Loyal vassals leave the blacklist. Vassals that speak neither the emperor protocol nor sd_notify become loyal after this long."),

            // Tyrant
            U("emperor-tyrant", EmperorOptionGroup.Tyrant, OptionValueKind.Flag, "", "off",
                "run each vassal as the owner (uid and gid) of its file",
                "Tyrant mode: the Emperor (root) drops each vassal to the owner of its config file. Files owned by root are refused."),
            U("emperor-tyrant-nofollow", EmperorOptionGroup.Tyrant, OptionValueKind.Flag, "", "off",
                "with --emperor-tyrant, take the owner of a symbolic link itself, not of its target",
                "Lets an administrator link a user's file into the vassal directory without the user owning the link's target."),

            // Jails
            O("emperor-cgroup", EmperorOptionGroup.Jails, OptionValueKind.Path, "DIR", null,
                "put every vassal in a cgroup of its own, DIR/NAME; stopping a vassal ends every process in it (cgroup.kill)",
                "DIR is a directory in a cgroup file system (e.g. /sys/fs/cgroup/emperor on a cgroup v2 host, /sys/fs/cgroup/unified/emperor on a hybrid one), created if missing. "
                + "Each vassal's processes are in DIR/NAME from the first instruction of its program (the child set-up step joins it before the vassal binary runs), "
                + "and stopping it (removal, stop, reload by restart, Ragnarok, or its leader dying) SIGKILLs everything in DIR/NAME with cgroup.kill, so not even a double-forked daemon outlives it; the empty cgroup is then removed. "
                + "On a hybrid host the same path is used in the v1 hierarchies of the memory, pids and cpu controllers v2 lacks. Stats and metrics show each vassal's memory, CPU time, OOM kills and tasks. "
                + "Without a usable cgroup file system (or permission) the Emperor says so in one line and runs vassals as without this option. See docs/jails.md."),
            O("emperor-cgroup-opt", EmperorOptionGroup.Jails, OptionValueKind.Text, "KEY=VALUE", null,
                "with --emperor-cgroup, write VALUE to KEY in every vassal's cgroup (e.g. memory.max=256M, pids.max=64, cpu.max=\"50000 100000\"); repeatable",
                "A limit for each vassal, written before it starts. KEY is named the cgroup v2 way; on a hybrid host memory.max, memory.swap.max, cpu.max and cpu.weight are translated for v1 (memory.limit_in_bytes, "
                + "memory.memsw.limit_in_bytes, cpu.cfs_quota_us and cpu.cfs_period_us, cpu.shares), other keys are written as named. In a vassal file, emperor-cgroup-opt = KEY=VALUE sets that vassal's own value "
                + "(the same KEY from the command line is overridden). A KEY whose controller no hierarchy has, or a value the kernel refuses, is one line and the vassal does not start.") with { Repeatable = true },
            U("emperor-cap", EmperorOptionGroup.Jails, OptionValueKind.Text, "LIST", null,
                "keep only these capabilities (and setpcap) in every vassal's bounding set, e.g. net_bind_service,setuid,setgid",
                "As uWSGI does in its vassal child: every capability not listed (names as in capabilities(7) without cap_, or numbers, comma separated) leaves the bounding set of the vassal before the tyrant drop, "
                + "CAP_SETPCAP excepted, and keep-caps is set. Nothing the vassal runs can gain a dropped capability again, not even as root. Aliases: --vassals-cap, --vassal-cap.", "vassals-cap", "vassal-cap"),

            // Stats and control
            U("emperor-stats", EmperorOptionGroup.StatsControl, OptionValueKind.Address, "ADDR", null,
                "serve the stats JSON on ADDR (host:port, [::1]:port, a UNIX path or @abstract)",
                "Each connection gets one JSON document with uWSGI's keys plus each vassal's state, reason, restarts, last exit and sd_notify status. Alias: --emperor-stats-server.", "emperor-stats-server"),
            U("stats-http", EmperorOptionGroup.StatsControl, OptionValueKind.Flag, "", "off",
                "answer stats requests as HTTP",
                "The stats socket reads one HTTP request and answers with an HTTP/1.0 response (for curl and browsers)."),
            O("emperor-command-socket", EmperorOptionGroup.StatsControl, OptionValueKind.UnixSocket, "PATH|none", "/run/emperor/emperor.sock (root), $XDG_RUNTIME_DIR/emperor.sock",
                "the control socket `emperor ls|stop|start|reload|...` talk to (mode 0600); none disables",
                "A UNIX stream socket, owner-only, one command line per connection. By default it is opened at /run/emperor/emperor.sock for root and $XDG_RUNTIME_DIR/emperor.sock for others ($EMPEROR_RUNTIME_DIR overrides the directory; with --emperor-id NAME the file is emperor-NAME.sock), "
                + "so that `emperor ls` finds a running Emperor without flags. When another live Emperor holds the default socket, this one says so and goes on without it; a stale socket file is replaced."),
            O("emperor-id", EmperorOptionGroup.StatsControl, OptionValueKind.Name, "NAME", null,
                "name this Emperor: its default command socket is emperor-NAME.sock, `emperor ls --id NAME` picks it",
                "With several Emperors on one machine, each gets its own default command socket; the control commands pick one with --id NAME (or $EMPEROR_ID)."),
            O("emperor-metrics", EmperorOptionGroup.StatsControl, OptionValueKind.Address, "ADDR", null,
                "serve Prometheus metrics on ADDR at /metrics",
                "Counters and gauges of vassals, spawns, deaths, blacklist and loop lag in the Prometheus text format."),

            O("emperor-dashboard", EmperorOptionGroup.StatsControl, OptionValueKind.Address, "ADDR", null,
                "serve the web dashboard on ADDR (:PORT means 127.0.0.1:PORT): every vassal live, its log, reload/stop/start/pardon",
                "One page with its assets embedded, updated every second by server-sent events: state, pid, uptime, restarts, loyalty, the reason of the last decision and the next attempt, heartbeat age, sd_notify status, memory and CPU, "
                + "a live log tail per vassal, and the actions reload, stop, start and pardon (POST with a CSRF token). A bare :PORT binds loopback only; give an address to listen elsewhere, and --emperor-dashboard-auth for a password. See docs/dashboard.md."),
            O("emperor-dashboard-auth", EmperorOptionGroup.StatsControl, OptionValueKind.Path, "FILE", null,
                "require HTTP basic auth on the dashboard: FILE holds user:password or user:sha256:HEX lines",
                "Read at start; a missing or malformed file stops the Emperor with one line naming it. sha256:HEX is the hex SHA-256 of the password (printf %s PASSWORD | sha256sum)."),

            // Logs
            O("emperor-log-dir", EmperorOptionGroup.Logs, OptionValueKind.Path, "DIR", null,
                "write each vassal's output to DIR/NAME.log (stderr to DIR/NAME.err.log), rotated by size",
                "The Emperor reads every vassal's stdout and stderr through pipes (never blocking a vassal or its loop) and appends the lines to DIR/NAME.log and DIR/NAME.err.log "
                + "(with --emperor-log-format json both streams go to DIR/NAME.log). A file that would grow past --emperor-log-maxsize is rotated to NAME.log.1, NAME.log.2, ... keeping --emperor-log-backups. "
                + "Without this option the lines go to the Emperor's own stdout and stderr, prefixed with [NAME]. `emperor logs --reopen` (and SIGHUP) reopens every file, for logrotate. See docs/logs.md."),
            O("emperor-log-maxsize", EmperorOptionGroup.Logs, OptionValueKind.Bytes, "BYTES", "10485760",
                "rotate a vassal's log file before it grows past BYTES (10 MiB)",
                "With --emperor-log-dir: a line that would take a file past this size first rotates it (NAME.log becomes NAME.log.1, and so on)."),
            O("emperor-log-backups", EmperorOptionGroup.Logs, OptionValueKind.Number, "N", "5",
                "keep N rotated copies of each vassal's log file (NAME.log.1 ... NAME.log.N); 0 keeps none",
                "With --emperor-log-dir: the oldest copy beyond N is deleted at each rotation."),
            O("emperor-log-format", EmperorOptionGroup.Logs, OptionValueKind.LogFormat, "text|json", "text",
                "write captured vassal lines as text or as JSON objects (time, vassal, pid, stream, line)",
                "text: each line as the vassal printed it (prefixed with [NAME] on the Emperor's own stream). json: one object a line, with both streams in one file."),

            // Vassal role
            U("ini", EmperorOptionGroup.Vassal, OptionValueKind.Path, "FILE[:SECTION]", null,
                "run the vassal described by an INI file (also --xml, --yaml, --json)",
                "The vassal role: the file is read by the uWSGI config language, the sockets it declares are bound, privileges dropped, and its program exec'd with the sockets passed as LISTEN_FDS."),
            U("show-config", EmperorOptionGroup.Vassal, OptionValueKind.Flag, "", null,
                "print the expanded config as uWSGI --show-config does, and exit",
                "Byte for byte what uwsgi --show-config prints for the same files."),
            U("socket", EmperorOptionGroup.Vassal, OptionValueKind.Address, "ADDR", null,
                "bind ADDR and pass it to the program (LISTEN_FDS); repeatable (also http-socket, uwsgi-socket, shared-socket)",
                "Each socket is bound before privileges are dropped and passed to the program the systemd way.") with { Repeatable = true },
            U("listen", EmperorOptionGroup.Vassal, OptionValueKind.Number, "N", "100",
                "the listen backlog of the vassal's sockets",
                "The backlog passed to listen(2) for every socket the vassal binds."),
            U("chmod-socket", EmperorOptionGroup.Vassal, OptionValueKind.Mode, "MODE", null,
                "chmod the vassal's UNIX sockets (octal, or 666 when given without a value)",
                "Applied to UNIX sockets after bind."),
            U("chown-socket", EmperorOptionGroup.Vassal, OptionValueKind.Text, "USER[:GROUP]", null,
                "chown the vassal's UNIX sockets",
                "Applied to UNIX sockets after bind."),
            U("uid", EmperorOptionGroup.Vassal, OptionValueKind.User, "USER", null,
                "drop to this user before the program starts",
                "A user name or numeric uid."),
            U("gid", EmperorOptionGroup.Vassal, OptionValueKind.Group, "GROUP", null,
                "drop to this group before the program starts",
                "A group name or numeric gid."),
            U("chdir", EmperorOptionGroup.Vassal, OptionValueKind.Path, "DIR", null,
                "change to DIR before the program starts",
                "Also --chdir2."),
            U("env", EmperorOptionGroup.Vassal, OptionValueKind.Text, "NAME=VALUE", null,
                "set an environment variable for the program; repeatable",
                "Also --unenv NAME to remove one.") with { Repeatable = true },
            U("logto", EmperorOptionGroup.Vassal, OptionValueKind.Path, "FILE", null,
                "append the program's stdout and stderr to FILE (created 0640) instead of the Emperor's capture",
                "Opened before the privileged patch, as uWSGI does; logto2 opens it after the privilege drop, and under an Emperor daemonize FILE only logs to FILE. Also log-truncate, logfile-chmod. A HOST:PORT (UDP) is refused. docs/logs.md."),
            U("log-maxsize", EmperorOptionGroup.Vassal, OptionValueKind.Number, "BYTES", null,
                "rotate the logto file once it is larger than BYTES",
                "The file is renamed to log-backupname (or FILE.UNIXTIME) right after the line that took it past the limit, and opened anew; a small rotator process holds the file for the program."),
            U("log-backupname", EmperorOptionGroup.Vassal, OptionValueKind.Path, "FILE", null,
                "the name a log-maxsize rotation renames the logto file to",
                "Each rotation replaces it, as in uWSGI; without it the rotated file is FILE.UNIXTIME."),
            U("unprivileged-binary-patch-arg", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "the program to run after the privilege drop, as a command line (sh -c)",
                "The vassal role execs it last, with the sockets as LISTEN_FDS. Also unprivileged-binary-patch PROGRAM (no arguments), and privileged-binary-patch(-arg), run before the drop."),
            U("umask", EmperorOptionGroup.Vassal, OptionValueKind.Mode, "MODE", null,
                "set the umask (octal) first",
                "Applied before the sockets are bound (phase 2 in docs/jails.md)."),
            U("unshare", EmperorOptionGroup.Vassal, OptionValueKind.Text, "LIST", null,
                "move into new namespaces before the root change: net, ipc, uts, pid, user, fs/mount, sysvsem, files, cgroup",
                "Comma separated, repeatable. unshare2 does the same after chroot/pivot-root. With net the program sees only loopback (down); set it up in an exec-post-jail hook. See docs/jails.md.") with { Repeatable = true },
            U("unshare2", EmperorOptionGroup.Vassal, OptionValueKind.Text, "LIST", null,
                "move into new namespaces after the root change (chroot, pivot-root)",
                "Same names as unshare.") with { Repeatable = true },
            U("pivot-root", EmperorOptionGroup.Vassal, OptionValueKind.Text, "NEW_ROOT PUT_OLD", null,
                "pivot_root(2) into NEW_ROOT (needs unshare = mount)",
                "Every mount is made private, then the root changes to NEW_ROOT with the old one at NEW_ROOT/PUT_OLD. Alias: pivot_root.", "pivot_root"),
            U("chroot", EmperorOptionGroup.Vassal, OptionValueKind.Path, "DIR", null,
                "chroot(2) to DIR before the privilege drop",
                "Phase 11 in docs/jails.md, before pivot-root."),
            U("jailed", EmperorOptionGroup.Vassal, OptionValueKind.Flag, "", "off",
                "run the post-jail hooks even without unshare",
                "uWSGI runs hook-post-jail and exec-post-jail only after unshare, or with jailed."),
            U("cap", EmperorOptionGroup.Vassal, OptionValueKind.Text, "LIST", null,
                "keep these capabilities through the uid drop and the exec (e.g. net_bind_service)",
                "Names as in capabilities(7) without cap_, or numbers. After the drop they are the effective, permitted, inheritable and ambient sets, so the program really has them. The last cap line wins."),
            U("cgroup", EmperorOptionGroup.Vassal, OptionValueKind.Path, "PATH", null,
                "create cgroup PATH (v1 or v2) and move the vassal into it; repeatable",
                "Created with cgroup-dir-mode (default 700). On a hybrid host name one cgroup in each hierarchy; cgroup-opt lines go to the cgroups that have their file.") with { Repeatable = true },
            U("cgroup-opt", EmperorOptionGroup.Vassal, OptionValueKind.Text, "KEY=VALUE", null,
                "write VALUE to KEY in the cgroup(s) of cgroup = PATH; repeatable",
                "Also KEY:VALUE. A KEY that no named cgroup has is one line and the vassal does not start (uWSGI skips it). For the Emperor's own per-vassal cgroup use emperor-cgroup-opt.") with { Repeatable = true },
            U("cgroup-dir-mode", EmperorOptionGroup.Vassal, OptionValueKind.Mode, "MODE", "700",
                "the mode of the directories cgroup = PATH creates",
                "An existing directory is chmod'ed to it."),
            U("hook-asap", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action first of all (also hook-pre-jail, hook-in-jail, hook-post-jail, hook-as-root, hook-as-user); repeatable",
                "Actions: exec, safeexec, cd, mkdir, putenv, unlink, create, write, writen, append, appendn, writefifo, chmod, sticky, chown, chown2, hostname, print, exit. "
                + "In a phase the hook- lines run before the exec- lines. The first that fails stops the start with one line. Phases and their order: docs/jails.md.") with { Repeatable = true },
            U("hook-pre-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action after the sockets are bound, before the jail; repeatable",
                "See hook-asap.") with { Repeatable = true },
            U("hook-in-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action after the cgroups, before chdir, environment and limits; repeatable",
                "See hook-asap.") with { Repeatable = true },
            U("hook-post-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action in the new namespaces (after unshare, or with jailed); repeatable",
                "See hook-asap.") with { Repeatable = true },
            U("hook-as-root", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action after the root change, before the privilege drop; repeatable",
                "See hook-asap.") with { Repeatable = true },
            U("hook-as-user", EmperorOptionGroup.Vassal, OptionValueKind.Text, "ACTION:ARGS", null,
                "run a hook action after the privilege drop, before the program; repeatable",
                "See hook-asap.") with { Repeatable = true },
            U("exec-asap", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command first of all (also exec-pre-jail, exec-in-jail, exec-post-jail, exec-as-root, exec-as-user); repeatable",
                "Same as hook-PHASE = exec:COMMAND: /bin/sh -c COMMAND, waited for; a non-zero exit stops the start with one line.") with { Repeatable = true },
            U("exec-pre-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command after the sockets are bound, before the jail; repeatable",
                "See exec-asap.") with { Repeatable = true },
            U("exec-in-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command after the cgroups; repeatable",
                "See exec-asap.") with { Repeatable = true },
            U("exec-post-jail", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command in the new namespaces (e.g. to set up the network of unshare = net); repeatable",
                "See exec-asap.") with { Repeatable = true },
            U("exec-as-root", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command after the root change, before the privilege drop; repeatable",
                "See exec-asap.") with { Repeatable = true },
            U("exec-as-user", EmperorOptionGroup.Vassal, OptionValueKind.Text, "COMMAND", null,
                "run a shell command as the dropped user, before the program; repeatable",
                "See exec-asap.") with { Repeatable = true },
        ];

        var byName = new Dictionary<string, EmperorOptionSpec>(StringComparer.Ordinal);
        foreach (var spec in all)
        {
            byName.Add(spec.Name, spec);
            foreach (var alias in spec.Aliases)
            {
                byName.Add(alias, spec);
            }
        }

        return (all, byName.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static EmperorOptionSpec U(string name, EmperorOptionGroup group, OptionValueKind kind, string metavar, string? defaultValue, string summary, string details, params string[] aliases) =>
        new(name, group, kind, metavar, defaultValue, summary, details, Uwsgi: true, aliases);

    private static EmperorOptionSpec O(string name, EmperorOptionGroup group, OptionValueKind kind, string metavar, string? defaultValue, string summary, string details, params string[] aliases) =>
        new(name, group, kind, metavar, defaultValue, summary, details, Uwsgi: false, aliases);
}
