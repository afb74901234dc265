using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;
using Emperor.Core.Vassals;

namespace Emperor.Hosting;

/// <summary>
/// On-demand vassals (spec §13.2): the Emperor binds the vassal's socket and waits; the first connection starts it
/// with the socket (fd 0 of a uWSGI vassal, the first LISTEN_FDS socket of our vassal role); when it sends byte 22 or
/// exits, the Emperor waits again on the same socket, so no connection is refused in the transition. A config change
/// while it sleeps only records the change.
/// </summary>
internal sealed partial class EmperorService
{
    /// <summary>
    /// Called in <see cref="Spawn"/>: true to launch now (not on demand, or woken; then <paramref name="socket"/> is
    /// the socket to pass), false when the record sleeps, waits for its socket name, or could not bind it.
    /// </summary>
    private bool PrepareOnDemand(VassalRecord record, Core.Config.ConfigLoadResult? loaded, out PassedSocket? socket)
    {
        socket = null;
        if (!record.OnDemandLookedUp)
        {
            if (LookUpOnDemand(record) is { } pending)
            {
                _ = pending; // the exec answers later (OnDemandResolved); the record waits as New meanwhile
                return false;
            }
        }

        if (record.OnDemandAddress is not { } address)
        {
            return true;
        }

        if (record.OnDemandSocket is null)
        {
            if (_readiness is null || _onDemandBinder is null)
            {
                Apply(record, new VassalEvent.ConfigRefused(record.Entry.Path ?? record.Name, "on-demand sockets are not available in this Emperor"));
                return false;
            }

            if (!VassalPlanner.TryParseAddress("on-demand socket", address, out var spec, out var why))
            {
                Apply(record, new VassalEvent.ConfigRefused(record.Entry.Path ?? record.Name, $"on-demand socket {address}: {why}"));
                return false;
            }

            var options = new SocketOptions(100, spec.Kind == SocketAddressKind.Unix ? 0x1B6 : null, null); // uWSGI: backlog 100, UNIX mode 0666
            record.OnDemandSocket = _onDemandBinder.Bind(spec, options, out var error);
            if (record.OnDemandSocket is null)
            {
                Apply(record, new VassalEvent.ConfigRefused(record.Entry.Path ?? record.Name, error ?? "cannot bind its on-demand socket"));
                return false;
            }
        }

        if (record.OnDemandWoken)
        {
            record.OnDemandWoken = false;
            socket = new PassedSocket(record.OnDemandSocket.Fd, address);
            return true;
        }

        // Announced while it sleeps: the router's first request is the connection that wakes it.
        if (loaded is not null)
        {
            var (plan, errors) = VassalPlanner.Plan(loaded.Options);
            SetSubscriptions(record, loaded.Options, errors.Count == 0 ? plan.Sockets : [], address);
        }

        record.OnDemandWatch?.Dispose();
        var name = record.Name;
        record.OnDemandWatch = _readiness!.WatchOnce(record.OnDemandSocket.Fd, () => Post(new EmperorEvent.OnDemandWake(name)));
        Apply(record, new VassalEvent.OnDemandArmed(address));
        return false;
    }

    /// <summary>The socket name, first match wins: NAME+EXT, DIR/NAME.socket, then CMD NAME (spec §13.2).</summary>
    /// <returns>null when decided now; a task when the exec answers later.</returns>
    private Task? LookUpOnDemand(VassalRecord record)
    {
        if (_settings.OnDemandExtension is { } ext && record.Entry.Path is { } path && _readFirstLine?.Invoke(path + ext) is { Length: > 0 } fromFile)
        {
            return Resolved(record, fromFile);
        }

        if (_settings.OnDemandDirectory is { } dir)
        {
            return Resolved(record, Path.Combine(dir, Path.GetFileNameWithoutExtension(record.Name) + ".socket"));
        }

        if (_settings.OnDemandExec is { } command && _runOnDemandExec is not null)
        {
            var name = record.Name;
            return _runOnDemandExec(command, name).ContinueWith(
                t => Post(new EmperorEvent.OnDemandResolved(name, t.IsCompletedSuccessfully ? t.Result : null)),
                TaskScheduler.Default);
        }

        return Resolved(record, null);
    }

    private static Task? Resolved(VassalRecord record, string? address)
    {
        record.OnDemandLookedUp = true;
        record.OnDemandAddress = address;
        return null;
    }

    private void OnDemandResolved(string name, string? address)
    {
        if (!_records.TryGetValue(name, out var record) || record.OnDemandLookedUp)
        {
            return;
        }

        Resolved(record, address is { Length: > 0 } ? address : null);
        if (record.State.Phase == VassalPhase.New)
        {
            _spawns.Request(record);
        }
    }

    private void OnDemandWake(string name)
    {
        if (!_records.TryGetValue(name, out var record) || record.State.Phase != VassalPhase.Sleeping)
        {
            return;
        }

        record.OnDemandWatch = null; // it fired
        record.OnDemandWoken = true;
        Apply(record, new VassalEvent.Woken());
    }

    private static void ReleaseOnDemand(VassalRecord record)
    {
        record.OnDemandWatch?.Dispose();
        record.OnDemandWatch = null;
        record.OnDemandSocket?.Dispose();
        record.OnDemandSocket = null;
    }
}
