using Emperor.Core;
using Emperor.Core.Vassals;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>Signals to the Emperor (spec §6), delivered as loop events.</summary>
internal sealed partial class EmperorService
{
    private void OnSignal(int sig)
    {
        switch (sig)
        {
            case Signals.Sigint or Signals.Sigterm or Signals.Sigquit:
                BeginRagnarok();
                break;
            case Signals.Sighup:
                LogReloadAll(_logger, _records.Count);
                _ = _logs?.Reopen(); // as logrotate's postrotate expects of a SIGHUP (docs/logs.md)
                foreach (var r in _records.Values.ToList())
                {
                    Reload(r, "SIGHUP");
                }

                break;
            case Signals.Sigusr1:
                LogStatusLines();
                break;
            case Signals.Sigurg:
                var n = _blacklist.Clear();
                LogBlacklistCleared(_logger, n);
                foreach (var r in _records.Values.ToList())
                {
                    Apply(r, new VassalEvent.Pardoned());
                }

                break;
            case Signals.Sigwinch:
                RescanAll();
                break;
        }
    }

    /// <summary>SIGUSR1: one line per vassal, in uWSGI's words.</summary>
    private void LogStatusLines()
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (var r in _records.Values)
        {
            var s = r.State;
            var phase = s.Phase.ToString().ToLowerInvariant();
            LogStatusLine(
                _logger,
                r.Name,
                r.Entry.ModifiedNs / 1_000_000_000,
                s.Phase == VassalPhase.Stopping ? 1 : 0,
                s.Loyal ? 1 : 0,
                phase,
                s.Pid,
                s.Restarts,
                s.Reason ?? string.Empty);
        }
    }
}
