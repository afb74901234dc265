using System.Globalization;

namespace Emperor.TestVassal;

/// <summary>
/// testvassal: the dummy vassal the tests spawn (DESIGN.md "tests/"). Flags combine; each also
/// reads from TESTVASSAL_&lt;FLAG&gt; (see <see cref="VassalOptions"/>).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: testvassal [flags]            (default: sleep until killed)
          --exit N             exit with code N once started (after the start-up actions below)
          --crash-after MS     exit with code 1 after MS milliseconds
          --ignore-sigterm     survive SIGTERM, SIGINT and SIGQUIT (only SIGKILL ends it)
          --log-signals FILE   append TERM/INT/QUIT/HUP/USR1 to FILE as they arrive; die by
                               TERM/INT/QUIT (unless --ignore-sigterm), survive HUP/USR1
          --report FILE        write ids, limits, fds, argv, env to FILE (atomically; format in Report.cs)
          --setsid             become a session and process-group leader first
          --spawn-child        start a sleeping grandchild in our process group (child= in the report;
                               it keeps the environment minus TESTVASSAL_*, UWSGI_EMPEROR_FD, NOTIFY_SOCKET,
                               and never holds the link; a reload re-exec starts another one)
          --protocol           speak the emperor protocol on fd $UWSGI_EMPEROR_FD:
            --send B1,B2,...     send these bytes at start (1 ready, 5 accepting, 17 loyal, 22, 30)
            --heartbeat MS       send byte 26 every MS milliseconds
            --reload-exit        on byte 1 exit 0 instead of re-executing in place
                               received: 0 -> exit 0, 1 -> re-exec (same pid, argv, env), 2 -> exit 0;
                               EOF on the link -> exit 1. Each byte is logged on stderr as
                               'testvassal: received byte N'.
          --notify MSG         send MSG as one sd_notify datagram to $NOTIFY_SOCKET (@name = abstract);
                               repeatable
          --notify-every MS    send the --notify messages again every MS milliseconds
        environment: TESTVASSAL_EXIT=3, TESTVASSAL_PROTOCOL=1, TESTVASSAL_SEND=1,5, ... (argv wins)
        exit codes: as asked, 1 crash/EOF/failure, 64 bad usage
        """;

    /// <summary>Timers and signal registrations must stay reachable for as long as we run.</summary>
    private static readonly List<IDisposable> s_keepAlive = [];

    private static int Main(string[] args)
    {
        var options = VassalOptions.Parse(args, Environment.GetEnvironmentVariables());
        if (options.Help)
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }

        foreach (var ignored in options.Ignored)
        {
            Log.Line($"ignoring argument '{ignored}'");
        }

        if (options.Errors.Count > 0)
        {
            options.Errors.ForEach(Log.Line);
            Console.Error.WriteLine(Usage);
            return 64;
        }

        if (options.Setsid && Libc.setsid() < 0)
        {
            Log.Line("setsid failed: already a process-group leader");
            return 1;
        }

        s_keepAlive.Add(SignalHandlers.Install(options.LogSignalsPath, options.IgnoreSigterm));

        // Collected before the link is touched, so fds.inherited shows the link as it arrived.
        var report = options.ReportPath is null ? null : Report.Collect();

        EmperorLink? link = null;
        if (options.Protocol && (link = EmperorLink.Open(options.ReloadExit)) is null)
        {
            return 64;
        }

        if (options.SpawnChild)
        {
            var child = Grandchild.Spawn();
            report?.Add(new("child", child.ToString(CultureInfo.InvariantCulture)));
        }

        if (report is not null)
        {
            Report.Write(options.ReportPath!, report);
        }

        if (link is not null)
        {
            link.StartReader();
            foreach (var value in options.Send)
            {
                link.Send(value);
            }

            if (options.HeartbeatMs is int beat)
            {
                s_keepAlive.Add(new Timer(_ => link.Send(26), null, beat, beat));
            }
        }

        options.Notify.ForEach(Notifier.Send);
        if (options.NotifyEveryMs is int every)
        {
            s_keepAlive.Add(new Timer(_ => options.Notify.ForEach(Notifier.Send), null, every, every));
        }

        if (options.ExitCode is int code)
        {
            return code;
        }

        if (options.CrashAfterMs is int delay)
        {
            s_keepAlive.Add(new Timer(_ => Crash(delay), null, delay, Timeout.Infinite));
        }

        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private static void Crash(int delay)
    {
        Log.Line($"crashing after {delay} ms, exiting with 1");
        Environment.Exit(1);
    }
}
