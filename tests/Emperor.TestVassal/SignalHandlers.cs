using System.Runtime.InteropServices;

namespace Emperor.TestVassal;

/// <summary>
/// <c>--log-signals FILE</c> and <c>--ignore-sigterm</c>, through <see cref="PosixSignalRegistration"/>.
/// </summary>
/// <remarks>
/// A handler that leaves <see cref="PosixSignalContext.Cancel"/> false lets the runtime apply the
/// default action after it returns: for TERM/INT/QUIT that is re-raising the signal with the default
/// disposition, so the process dies *by the signal* (a parent sees WIFSIGNALED, .NET reports
/// 128+N), exactly like a program without handlers. The name is appended before that happens.
/// </remarks>
internal sealed class SignalHandlers : IDisposable
{
    private const PosixSignal Sigusr1 = (PosixSignal)10; // no named value; 10 on Linux x64 and arm64

    private static readonly (PosixSignal Signal, string Name, bool Terminates)[] s_signals =
    [
        (PosixSignal.SIGTERM, "TERM", true),
        (PosixSignal.SIGINT, "INT", true),
        (PosixSignal.SIGQUIT, "QUIT", true),
        (PosixSignal.SIGHUP, "HUP", false),
        (Sigusr1, "USR1", false),
    ];

    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly string? _logPath;
    private readonly bool _ignoreTermination;
    private readonly Lock _appendLock = new();

    private SignalHandlers(string? logPath, bool ignoreTermination)
    {
        _logPath = logPath;
        _ignoreTermination = ignoreTermination;
    }

    /// <summary>
    /// With <c>--log-signals</c>: TERM, INT, QUIT, HUP and USR1 are appended to the file; HUP and USR1
    /// are then survived. With <c>--ignore-sigterm</c>: TERM, INT and QUIT are survived too (logged on
    /// stderr), so only SIGKILL ends the process. Without either, nothing is registered.
    /// </summary>
    public static SignalHandlers Install(string? logPath, bool ignoreTermination)
    {
        var handlers = new SignalHandlers(logPath, ignoreTermination);
        foreach (var (signal, name, terminates) in s_signals)
        {
            if (logPath is not null || (ignoreTermination && terminates))
            {
                handlers._registrations.Add(PosixSignalRegistration.Create(signal, context => handlers.Handle(context, name, terminates)));
            }
        }

        return handlers;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context, string name, bool terminates)
    {
        if (_logPath is not null)
        {
            lock (_appendLock)
            {
                File.AppendAllText(_logPath, name + "\n");
            }
        }

        var survive = !terminates || _ignoreTermination;
        Log.Line(survive ? $"received SIG{name}, carrying on" : $"received SIG{name}, dying by it");
        context.Cancel = survive;
    }
}
