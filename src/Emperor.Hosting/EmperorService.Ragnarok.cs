using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>
/// Ragnarok (spec §6): every vassal is stopped the way its removal would stop it; after <c>--reload-mercy</c> the
/// survivors' groups are killed (<see cref="Termination"/>); a last deadline later the Emperor is buried anyway, and
/// names every vassal it could not see die.
/// </summary>
internal sealed partial class EmperorService
{
    /// <summary>How long after the mercy's SIGKILLs the Emperor still waits for the exits.</summary>
    private static readonly TimeSpan s_finalDeadline = TimeSpan.FromSeconds(5);

    private ITimer? _mercy;

    private void BeginRagnarok()
    {
        if (_ragnarok)
        {
            LogRagnarokInProgress(_logger);
            return;
        }

        _ragnarok = true;
        LogRagnarok(_logger);
        _systemd.Send("STOPPING=1");
        _spawns.Close();
        _periodic?.Dispose();
        _announceTimer?.Dispose();
        foreach (var r in _records.Values.ToList())
        {
            Apply(r, new VassalEvent.Removed("Ragnarok"));
        }

        _mercy = _time.CreateTimer(_ => Post(new EmperorEvent.MercyExpired()), null, _settings.ReloadMercy, Timeout.InfiniteTimeSpan);
    }

    private void OnMercyExpired()
    {
        foreach (var r in _records.Values.Where(r => r.Process is not null).ToList())
        {
            LogNoMercy(_logger, r.Name, r.State.Pid);
        }

        _termination.KillAll(_records.Values, "Ragnarok: no mercy");
        foreach (var r in _records.Values)
        {
            KillCgroup(r, "Ragnarok: no mercy");
        }

        OneShot(s_finalDeadline, new EmperorEvent.FinalDeadline());
    }

    private void OnFinalDeadline()
    {
        _termination.ReportSurvivors(_records.Values);
        Bury();
    }

    private void Bury()
    {
        if (_exit.Task.IsCompleted || CgroupsDelayBurial())
        {
            return;
        }

        _mercy?.Dispose();
        _periodic?.Dispose();
        _spawns.Close();
        LogBuried(_logger);
        _exit.TrySetResult(0);
    }
}
