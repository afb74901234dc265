using Emperor.Core.Vassals;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// Log lines keep uWSGI's phrases where operators grep for them (spec, REPORT.md "Sample log lines"). Every
/// lifecycle decision has its own event id (100 + <see cref="VassalLogKind"/>) and the fields Vassal, Pid, Reason and
/// Kind, so a structured sink can filter on them while the text stays uWSGI's.
/// </summary>
internal sealed partial class EmperorService
{
    /// <summary>Event ids of decisions: <c>DecisionEventBase + (int)kind</c>.</summary>
    public const int DecisionEventBase = 100;

    private static readonly EventId[] s_decisionIds = Enum.GetValues<VassalLogKind>()
        .Select(k => new EventId(DecisionEventBase + (int)k, "Vassal" + k))
        .ToArray();

    /// <summary>The per-vassal budget of decision lines (created on first use, on the loop thread).</summary>
    private Core.Logs.LogRateLimiter? _logBudget;

    private void LogDecision(VassalRecord record, int pid, VassalEffect.Log log)
    {
        // However fast one vassal churns, what the Emperor says about it is bounded (issue #17: 235,000 lines in 30 s).
        _logBudget ??= Core.Logs.LogRateLimiter.ForVassals(_time);
        if (!_logBudget.TryTake(record.Name, out var suppressed))
        {
            return;
        }

        if (suppressed > 0)
        {
            LogSuppressed(_logger, record.Name, suppressed, _logBudget.Burst);
        }

        var level = log.Kind switch
        {
            VassalLogKind.Died or VassalLogKind.Blacklisted or VassalLogKind.Curse or VassalLogKind.Kill or VassalLogKind.SpawnFailed or VassalLogKind.Exiled => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        if (_logger.IsEnabled(level))
        {
            var state = new DecisionLogState(log.Kind, record.Name, pid, record.State.Reason, "[emperor] " + log.Message);
            _logger.Log(level, s_decisionIds[(int)log.Kind], state, null, static (s, _) => s.Text);
        }
    }

    /// <summary>Reports what the budget left out when a vassal is gone.</summary>
    private void ForgetLogBudget(string vassal)
    {
        if (_logBudget?.Forget(vassal) is > 0 and var suppressed)
        {
            LogSuppressed(_logger, vassal, suppressed, _logBudget.Burst);
        }
    }

    [LoggerMessage(EventId = 90, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal}: suppressed {Count} lines (more than {Burst} at once, then one a second)")]
    private static partial void LogSuppressed(ILogger logger, string vassal, long count, int burst);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "*** starting Emperor ***")]
    private static partial void LogStarting(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "[emperor] *** RAGNAROK EVOKED ***")]
    private static partial void LogRagnarok(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "[emperor] Ragnarok already in progress")]
    private static partial void LogRagnarokInProgress(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "[emperor] NO MERCY for vassal {Vassal} (pid: {Pid}) !!!")]
    private static partial void LogNoMercy(ILogger logger, string vassal, int pid);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "The Emperor is buried.")]
    private static partial void LogBuried(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "[emperor] SIGHUP: reloading {Count} vassals")]
    private static partial void LogReloadAll(ILogger logger, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "vassal instance {Vassal} (last modified {LastModified}) status {Status} loyal {Loyal} zerg 0 state {State} pid {Pid} restarts {Restarts} reason: {Reason}")]
    private static partial void LogStatusLine(ILogger logger, string vassal, long lastModified, int status, int loyal, string state, int pid, int restarts, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "[emperor] cleaning up blacklist ({Count} entries)")]
    private static partial void LogBlacklistCleared(ILogger logger, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "[emperor-tyrant] invalid permissions for vassal {Vassal}: owned by uid {Uid} gid {Gid}; tyrant mode never runs a vassal as root (change the file's owner)")]
    private static partial void LogTyrantRefused(ILogger logger, string vassal, int uid, int gid);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "[emperor-tyrant] dropping privileges to {Uid} {Gid} for instance {Vassal}")]
    private static partial void LogTyrantDrop(ILogger logger, int uid, int gid, string vassal);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "!!! permissions of file {Vassal} changed (now {Uid}:{Gid}). restarting the instance... !!!")]
    private static partial void LogOwnerChanged(ILogger logger, string vassal, int uid, int gid);

    [LoggerMessage(EventId = 12, Level = LogLevel.Critical, Message = "[emperor] the event loop failed; killing every vassal and exiting")]
    private static partial void LogLoopCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "*** starting uWSGI sub-Emperor ***")]
    private static partial void LogSubEmperor(ILogger logger);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "[emperor] vassal {Vassal}: its sockets are not held by the Emperor ({Why}); its vassal role binds them")]
    private static partial void LogSocketsNotHeld(ILogger logger, string vassal, string why);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "[emperor] {Text}")]
    private static partial void LogOverlapLine(ILogger logger, string text);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "[emperor] vassal {Vassal}: {Why}")]
    private static partial void LogSubscriptionRefused(ILogger logger, string vassal, string why);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "[emperor] {What} {Vassal}: {Subscriptions}")]
    private static partial void LogAnnounced(ILogger logger, string what, string vassal, string subscriptions);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "[emperor] reload of {Vassal} failed: {Reason}; the old instance (pid: {Pid}) keeps serving")]
    private static partial void LogReloadFailed(ILogger logger, string vassal, string reason, int pid);
}
