using Emperor.Core.Abstractions;
using Emperor.Core.Protocol;
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

        if (!TryRequest(record, out var request, out var refusal))
        {
            Apply(record, refusal!);
            return;
        }

        var loaded = ReadConfig(request, out var notRead);
        var own = request.Executable == _self;
        if (loaded is not null && Refusal(loaded, request, own) is { } bad)
        {
            Apply(record, new VassalEvent.ConfigRefused(RefusedName(record), bad));
            return;
        }

        PassedSocket? onDemand = null;
        if (_settings.OnDemand && !PrepareOnDemand(record, own ? loaded : null, out onDemand))
        {
            return;
        }

        if (onDemand is not null)
        {
            request = request with { OnDemand = onDemand };
        }

        if (!TryHoldSockets(record, ref request, own ? loaded : null, own ? notRead : null, out var bindError))
        {
            Apply(record, new VassalEvent.ConfigRefused(RefusedName(record), bindError));
            return;
        }

        if (!TryPrepareCgroup(record, ref request, out var cgroupRefusal))
        {
            Apply(record, cgroupRefusal!);
            return;
        }

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

    /// <summary>The launch request of a vassal after the tyrant gate and the preflight, or the event that refuses it.</summary>
    private bool TryRequest(VassalRecord record, out LaunchRequest request, out VassalEvent? refusal)
    {
        request = null!;
        refusal = null;
        var entry = record.Entry;
        if (!_tyrant.Admits(entry))
        {
            refusal = new VassalEvent.SpawnFailed("tyrant mode never runs a vassal as root");
            return false;
        }

        if (entry.InlineConfig is null && entry.Path is { } path && _preflight?.Invoke(path) is { } refused)
        {
            refusal = new VassalEvent.ConfigRefused(path, refused);
            return false;
        }

        var credentials = _tyrant.CredentialsFor(entry);
        if (credentials.Uid is { } uid && credentials.Gid is { } gid)
        {
            LogTyrantDrop(_logger, uid, gid, record.Name);
        }

        request = _requests.Build(record.Name, entry, _monitors[record.Monitor].WorkingDirectory, credentials) with { CaptureAs = record.Name };
        return true;
    }

    /// <summary>
    /// The options of a vassal that runs with the Emperor's privileges (our own vassal role or a foreign binary), read
    /// as its vassal will read them; null for tyrant vassals (the Emperor, root, must not read files on a user's behalf
    /// and quote them in its log) and for configs the Emperor cannot read safely (with why).
    /// </summary>
    private Core.Config.ConfigLoadResult? ReadConfig(LaunchRequest request, out string? why)
    {
        why = null;
        if (_configReader is null || request.Uid is not null)
        {
            return null;
        }

        return _configReader.Read(request, out why);
    }

    /// <summary>The reading of a vassal our own vassal role runs with the Emperor's privileges, or null.</summary>
    private Core.Config.ConfigLoadResult? ReadOwnConfig(LaunchRequest request) =>
        request.Executable == _self ? ReadConfig(request, out _) : null;

    /// <summary>
    /// Why a config its vassal would refuse is not started (<see cref="Core.Emperor.ConfigRefusal"/>), or null: the
    /// reading's errors, and for our own vassal role also what its plan of the options refuses.
    /// </summary>
    private static string? Refusal(Core.Config.ConfigLoadResult loaded, LaunchRequest request, bool own)
    {
        if (Core.Emperor.ConfigRefusal.Of(loaded, request.Arguments, own) is { } why)
        {
            return why;
        }

        if (!own || !RunsVassalRole(loaded))
        {
            return null;
        }

        var (_, errors) = Core.VassalRole.VassalPlanner.Plan(loaded.Options, loaded.Locations);
        return Core.Emperor.ConfigRefusal.Of(errors);
    }

    /// <summary>
    /// Whether our executable runs this config as a vassal (not as a nested Emperor or a router, which read their
    /// options otherwise); when unsure, false: a config is only refused for what its role would refuse.
    /// </summary>
    private static bool RunsVassalRole(Core.Config.ConfigLoadResult loaded) =>
        !loaded.Options.Any(o => o.Key is "emperor" or "fastrouter" or "http");

    /// <summary>How a refusal names the vassal: its file, and the section of a vassal of a multi-vassal file.</summary>
    private static string RefusedName(VassalRecord record)
    {
        if (record.Entry.Path is not { } path)
        {
            return record.Name;
        }

        var file = Path.GetFileName(path);
        return record.Name.Length > file.Length + 1 && record.Name.StartsWith(file, StringComparison.Ordinal) && record.Name[file.Length] == ':'
            ? path + record.Name[file.Length..]
            : path;
    }

    /// <summary>
    /// For a vassal our own vassal role runs with the Emperor's privileges: binds (or keeps) the sockets its config
    /// declares and passes them on, so a restart never closes them, and takes the supervision options of its file.
    /// Tyrant vassals bind their own (binding as root on a user's behalf would hand them ports and paths they may not
    /// have), as do foreign binaries and configs the Emperor cannot read safely. False when a declared socket cannot be
    /// bound or a supervision option is bad.
    /// </summary>
    private bool TryHoldSockets(VassalRecord record, ref LaunchRequest request, Core.Config.ConfigLoadResult? loaded, string? why, out string error)
    {
        error = string.Empty;
        if (loaded is null || request.Executable != _self)
        {
            record.Supervision = Core.VassalRole.Supervision.Default;
            if (why is not null)
            {
                LogSocketsNotHeld(_logger, record.Name, why);
            }

            _held?.Release(record.Name);
            SetSubscriptions(record, [], [], null);
            return true;
        }

        var options = loaded.Options;
        var (supervision, bad) = Core.VassalRole.Supervision.Read(options, _settings.ReloadMode);
        if (bad.Count > 0)
        {
            error = bad[0];
            return false;
        }

        record.Supervision = supervision;
        var (plan, errors) = Core.VassalRole.VassalPlanner.Plan(options, loaded.Locations);
        if (errors.Count > 0 && RunsVassalRole(loaded))
        {
            error = Core.Emperor.ConfigRefusal.Of(errors)!; // refused before a spawn; here for an overlap reload
            return false;
        }

        if (errors.Count > 0 || _held is null)
        {
            // A nested Emperor or a router plans otherwise (a vassal role's errors were refused before): we hold
            // nothing we cannot account for.
            if (errors.Count > 0)
            {
                LogSocketsNotHeld(_logger, record.Name, errors[0]);
            }

            _held?.Release(record.Name);
            SetSubscriptions(record, [], [], null);
            return true;
        }

        SetSubscriptions(record, options, plan.Sockets, record.OnDemandAddress);
        if (options.Any(o => Core.Subscriptions.VassalSubscriptions.IsSubscriptionOption(o.Key)))
        {
            request = request with { Environment = [.. request.Environment, new(Core.Subscriptions.VassalSubscriptions.Variable, Core.Subscriptions.VassalSubscriptions.Taken)] };
        }

        var socketOptions = new SocketOptions(plan.ListenBacklog, plan.ChmodSocket, plan.ChownSocket);
        if (!_held.TryPrepare(record.Name, plan.Sockets, socketOptions, out var passed, out var bindError, out var failed))
        {
            error = Where(loaded, failed, request) + (bindError ?? "cannot bind its sockets");
            return false;
        }

        if (passed.Count > 0)
        {
            request = request with { Sockets = passed };
        }

        return true;
    }

    /// <summary>"line N: " of the socket line that failed ("FILE:N: " when it came from another file), or "".</summary>
    private static string Where(Core.Config.ConfigLoadResult loaded, Core.VassalRole.SocketSpec? failed, LaunchRequest request)
    {
        if (failed is null)
        {
            return string.Empty;
        }

        for (var i = 0; i < loaded.Options.Count && i < loaded.Locations.Count; i++)
        {
            var (key, value) = loaded.Options[i];
            if ((key == failed.Option || (key == "s" && failed.Option == "socket")) && value == failed.Address)
            {
                var at = loaded.Locations[i];
                return request.Arguments.Contains(at.Source) || request.Arguments.Contains("emperor://" + at.Source)
                    ? $"line {at.Line}: "
                    : $"{at.Source}:{at.Line}: ";
            }
        }

        return string.Empty;
    }

    private void OnLinkByte(EmperorEvent.LinkByte b)
    {
        if (!_records.TryGetValue(b.Name, out var record))
        {
            return;
        }

        if (OnSuccessorSignal(record, b.Pid, b.Message is EmperorMessage.Ready or EmperorMessage.Accepting or EmperorMessage.Loyal) || record.State.Pid != b.Pid)
        {
            return;
        }

        if (b.Message == EmperorMessage.ResendConfig && record.Entry.InlineConfig is { } inline)
        {
            // A uWSGI master about to re-exec for a reload reads its config again (spec §7.2, §7.3).
            record.Process?.PushConfig(System.Text.Encoding.UTF8.GetBytes(inline));
        }

        Apply(record, new VassalEvent.LinkMessage(b.Message));
    }
}
