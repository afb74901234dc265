using System.Runtime.InteropServices;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// The Emperor as PID 1 of a container: a minimal init in front of it, as <c>docker run --init</c> would add. The .NET
/// runtime reaps every child with <c>waitpid(-1)</c> when it runs as PID 1, which would take the Emperor's vassals'
/// exit statuses before its own reaper sees them (spec: a lost status is a wrong judgement). So PID 1 starts the same
/// executable again as its only child — the real Emperor, now PID 2, whose children are its own — forwards every
/// signal an operator sends (TERM, INT, QUIT, HUP, USR1, USR2, URG, WINCH) to it, reaps whatever the kernel reparents to
/// PID 1 (a vassal's double-forked daemon), and exits with the Emperor's exit status.
/// </summary>
/// <remarks>
/// Implementation notes. Only this routine's own signals get handlers (PosixSignalRegistration); SIGCHLD keeps its
/// default disposition and the console is not touched on the normal path, so the runtime never reaps here: the blocking
/// <c>waitpid(-1)</c> loop is the only reaper and sees the Emperor's exit.
/// </remarks>
internal static class InitShim
{
    /// <summary>Set in the Emperor's environment by the shim, so that the child does not start another shim.</summary>
    public const string ChildVariable = "EMPEROR_UNDER_INIT";

    private static readonly int[] s_forwarded =
    [
        Core.Signals.Sigterm, Core.Signals.Sigint, Core.Signals.Sigquit, Core.Signals.Sighup,
        Core.Signals.Sigusr1, Core.Signals.Sigusr2, Core.Signals.Sigurg, Core.Signals.Sigwinch,
    ];

    /// <summary>Runs the init when this process is PID 1 (and not already the shim's child); null otherwise.</summary>
    public static int? RunIfPid1(IReadOnlyList<string> args)
    {
        if (Sys.getpid() != 1 || Environment.GetEnvironmentVariable(ChildVariable) is not null)
        {
            return null;
        }

        var self = Environment.ProcessPath ?? "/proc/self/exe";
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty))
            .Append(new(ChildVariable, "1"))
            .ToList();
        var child = PosixSpawn.Start(self, [self, .. args], env, Environment.CurrentDirectory, [], out var errno, stdin: 0);
        if (child == 0)
        {
            Console.Error.WriteLine($"emperor: as PID 1, cannot start the Emperor: posix_spawn({self}): {Sys.strerror(errno)}");
            return 1;
        }

        var registrations = s_forwarded
            .Select(sig => PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
            {
                ctx.Cancel = true;
                Sys.kill(child, sig);
            }))
            .ToList();
        try
        {
            return ReapUntil(child);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Reaps every child (orphans included) until <paramref name="child"/> ends; returns its exit status.</summary>
    private static unsafe int ReapUntil(int child)
    {
        while (true)
        {
            int status;
            var pid = Sys.waitpid(-1, &status, 0);
            if (pid < 0)
            {
                var e = Marshal.GetLastPInvokeError();
                if (e == Sys.EINTR)
                {
                    continue;
                }

                return 1; // ECHILD: the Emperor is gone and its status with it (cannot happen: it is our child)
            }

            if (pid != child)
            {
                continue; // an orphan the kernel gave to PID 1
            }

            var signal = status & 0x7f;
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
        }
    }
}
