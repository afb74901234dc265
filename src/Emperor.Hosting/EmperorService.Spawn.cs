using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>Spawning: the launch request, the launch, and the link reader of the new process.</summary>
internal sealed partial class EmperorService
{
    /// <summary>Whether a queued record should still be spawned when its turn comes.</summary>
    private bool IsWaitingToSpawn(VassalRecord record) =>
        _records.TryGetValue(record.Name, out var current) && ReferenceEquals(current, record) && record.State.Phase == VassalPhase.New;

    private void Spawn(VassalRecord record)
    {
        if (_ragnarok)
        {
            return;
        }

        var entry = record.Entry;
        if (!_tyrant.Admits(entry))
        {
            Apply(record, new VassalEvent.SpawnFailed("tyrant mode never runs a vassal as root"));
            return;
        }

        if (entry.InlineConfig is null && entry.Path is { } path && _preflight?.Invoke(path) is { } refused)
        {
            Apply(record, new VassalEvent.ConfigRefused(path, refused));
            return;
        }

        var credentials = _tyrant.CredentialsFor(entry);
        if (credentials.Uid is { } uid && credentials.Gid is { } gid)
        {
            LogTyrantDrop(_logger, uid, gid, record.Name);
        }

        var request = _requests.Build(record.Name, entry, _monitors[record.Monitor].WorkingDirectory, credentials) with { CaptureAs = record.Name };
        var result = _launcher.Launch(request, (pid, exit) => Post(new EmperorEvent.ProcessExited(pid, exit)));
        if (result.Process is not { } process)
        {
            Apply(record, new VassalEvent.SpawnFailed(result.Error ?? "unknown error"));
            return;
        }

        record.Process = process;
        record.StartedAt = _time.GetUtcNow();
        _byPid[process.Pid] = record;
        Apply(record, new VassalEvent.Spawned(process.Pid));
        _ = LinkReader.RunAsync(record.Name, process, Post);
    }

    private void OnLinkByte(EmperorEvent.LinkByte b)
    {
        if (!_records.TryGetValue(b.Name, out var record) || record.State.Pid != b.Pid)
        {
            return;
        }

        if (b.Message == Core.Protocol.EmperorMessage.ResendConfig && record.Entry.InlineConfig is { } inline)
        {
            // A uWSGI master about to re-exec for a reload reads its config again (spec §7.2, §7.3).
            record.Process?.PushConfig(System.Text.Encoding.UTF8.GetBytes(inline));
        }

        Apply(record, new VassalEvent.LinkMessage(b.Message));
    }
}
