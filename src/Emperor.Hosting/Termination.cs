using Emperor.Core;
using Emperor.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// The one termination routine. Every way a vassal ends goes through it:
/// <list type="number">
/// <item><b>Ask</b> (graceful): the stop byte on the link, and <c>SIGTERM</c> (or the vassal's stop signal) to its
/// whole process group for a vassal that does not speak the protocol — decided by the pure state machine for a
/// removal, a reload-by-restart, an operator stop and Ragnarok alike (<see cref="Ask"/>). A process that has SIGTERM
/// ignored is reported so the state machine shortens its grace.</item>
/// <item><b>Mercy</b>: a timer (the curse tolerance for one vassal, <c>--reload-mercy</c> for Ragnarok).</item>
/// <item><b>Kill</b>: <c>SIGKILL</c> to the whole process group (<see cref="Kill"/>, <see cref="KillAll"/> — also the
/// crash path when the loop itself fails).</item>
/// <item><b>Sweep</b>: when a group's leader has exited, whatever is left of its group is killed
/// (<see cref="SweepLeftovers"/>), so an app's own children never outlive it.</item>
/// <item><b>Report</b>: at the end of Ragnarok, one line per vassal that was not seen to die
/// (<see cref="ReportSurvivors"/>) — never silently.</item>
/// </list>
/// SIGKILL is sent nowhere else in the Emperor. The guardian (<c>Emperor.Unix.Processes.Guardian</c>) covers the one
/// case this routine cannot: the Emperor itself killed by SIGKILL.
/// </summary>
internal sealed partial class Termination(ILogger logger)
{
    public enum Answer
    {
        /// <summary>The group is already gone.</summary>
        Gone,

        /// <summary>The signal was delivered.</summary>
        Delivered,

        /// <summary>Delivered, but the leader ignores it (SIG_IGN inherited through exec).</summary>
        Ignored,
    }

    /// <summary>Step 1: a graceful signal to the vassal's group.</summary>
    public static Answer Ask(VassalRecord record, int signal)
    {
        if (record.Process is not { } process || !process.SignalGroup(signal))
        {
            return Answer.Gone;
        }

        return signal == Signals.Sigterm && process.IgnoresSignal(Signals.Sigterm) ? Answer.Ignored : Answer.Delivered;
    }

    /// <summary>Step 3 for an old instance an overlapping reload swapped out: SIGKILL its whole group.</summary>
    public void KillRetired(string vassal, IVassalProcess process)
    {
        if (process.SignalGroup(Signals.Sigkill))
        {
            LogNoMercyRetired(logger, vassal, process.Pid);
        }
    }

    /// <summary>Step 3 for one vassal: SIGKILL its whole group.</summary>
    public bool Kill(VassalRecord record, string why)
    {
        if (record.Process is not { } process)
        {
            return false;
        }

        var killed = process.SignalGroup(Signals.Sigkill);
        if (killed)
        {
            LogKilled(logger, record.Name, process.Pid, why);
        }

        return killed;
    }

    /// <summary>Step 3 for every vassal that still has a process.</summary>
    public int KillAll(IEnumerable<VassalRecord> records, string why)
    {
        var n = 0;
        foreach (var r in records)
        {
            if (Kill(r, why))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Step 4: the leader of <paramref name="process"/> has exited; kill what is left of its group.</summary>
    public void SweepLeftovers(VassalRecord record, IVassalProcess process)
    {
        if (process.KillLeftovers())
        {
            LogLeftoversKilled(logger, record.Name, process.Pid);
        }
    }

    /// <summary>Step 5: one line per vassal whose end was not seen. Returns how many.</summary>
    public int ReportSurvivors(IEnumerable<VassalRecord> records)
    {
        var n = 0;
        foreach (var r in records)
        {
            if (r.Process is { } p)
            {
                n++;
                LogSurvivor(logger, r.Name, p.Pid);
            }
        }

        return n;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "[emperor] SIGKILL to the process group of vassal {Vassal} (pid: {Pid}): {Reason}")]
    private static partial void LogKilled(ILogger logger, string vassal, int pid, string reason);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal} (pid: {Pid}) left processes behind in its group; killed them")]
    private static partial void LogLeftoversKilled(ILogger logger, string vassal, int pid);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "[emperor] vassal {Vassal} (pid: {Pid}) survived Ragnarok: its exit was never seen after SIGKILL")]
    private static partial void LogSurvivor(ILogger logger, string vassal, int pid);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "[emperor] NO MERCY for the old instance of vassal {Vassal} (pid: {Pid}) after an overlapping reload")]
    private static partial void LogNoMercyRetired(ILogger logger, string vassal, int pid);
}
