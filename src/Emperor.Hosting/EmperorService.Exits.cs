using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Exits: a vassal's process ended (the launcher reports the real wait status).</summary>
internal sealed partial class EmperorService
{
    private void OnProcessExited(int pid, VassalExit exit)
    {
        if (!_byPid.Remove(pid, out var record))
        {
            return;
        }

        if (OnSideExit(record, pid, exit))
        {
            return;
        }

        var process = record.Process;
        if (process is not null && process.Pid == pid)
        {
            // An app's own children must not outlive it (a hung uWSGI worker would keep the port).
            _termination.SweepLeftovers(record, process);
            KillCgroup(record, "its leader exited");
            _launcher.Forget(pid);
            record.Process = null;
            process.Dispose();
        }

        Apply(record, new VassalEvent.Exited(pid, exit));
    }
}
