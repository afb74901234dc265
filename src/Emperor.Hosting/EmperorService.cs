using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Emperor.Core.Abstractions;
using Emperor.Core.Control;
using Emperor.Core.Emperor;
using Emperor.Core.Policies;
using Emperor.Core.Stats;
using Emperor.Core.Vassals;
using Emperor.Hosting.Metrics;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// The Emperor: keeps exactly the right vassals running for its imperial monitors.
/// </summary>
/// <remarks>
/// Implementation notes.
/// <list type="bullet">
/// <item>One long-lived thread owns all state and reads one unbounded channel: the process's main thread in the
/// executable (<see cref="Run"/>), a dedicated "emperor-loop" thread in tests (<see cref="RunAsync"/>).
/// Monitors, process exits, link bytes, signals and timers only post events; nothing else touches records,
/// so there are no locks.</item>
/// <item>That thread is the only one that spawns: the launcher's fd inheritance needs it, and
/// PR_SET_PDEATHSIG follows the thread that forked, which must live as long as the vassals.</item>
/// <item>The loop never sleeps or blocks on a vassal: delays are TimeProvider timers that post events.</item>
/// <item>Lifecycle decisions are made by the pure <see cref="VassalStateMachine"/>; this class runs its effects.</item>
/// </list>
/// </remarks>
internal sealed partial class EmperorService : IAsyncDisposable
{
    private const int Sigint = 2;
    private const int Sigterm = 15;
    private const int Sigquit = 3;
    private const int Sighup = 1;
    private const int Sigusr1 = 10;
    private const int Sigurg = 23;
    private const int Sigwinch = 28;
    private const int Sigkill = 9;

    /// <summary>inotify events come in bursts (an editor's save is several); one scan answers a burst.</summary>
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(20);

    /// <summary>A vanished source must stay vanished this long: a save-by-rename is a change, not a stop and a spawn.</summary>
    private static readonly TimeSpan s_removalConfirm = TimeSpan.FromMilliseconds(50);

    private readonly EmperorSettings _settings;
    private readonly IReadOnlyList<IImperialMonitor> _monitors;
    private readonly IVassalLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _environment;
    private readonly string _selfExecutable;
    private readonly Channel<EmperorEvent> _events = Channel.CreateUnbounded<EmperorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, VassalRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<int, VassalRecord> _byPid = [];
    private readonly HashSet<string> _refusedTyrant = new(StringComparer.Ordinal);
    private readonly bool[] _rescanScheduled;
    private readonly VassalPolicy _policy;
    private readonly Blacklist _blacklist;
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startedAt;
    private readonly SpawnThrottle _throttle;
    private readonly Queue<(VassalRecord Record, bool Exempt)> _spawnQueue = new();

    /// <summary>
    /// At most this many spawns per loop turn (a spawn costs the loop ~5 ms: fork, and the runtime waits for the
    /// child's exec): the rest of a burst waits in the queue behind a posted
    /// continuation, so stats, commands and signals are answered between slices even with the throttle off.
    /// </summary>
    private const int SpawnSlice = 1;
    private ITimer? _throttleTimer;
    private bool _warmingUp;
    private int _spawnsThisEvent;
    private bool _sliceScheduled;
    private readonly (int Uid, int Gid) _identity;
    private readonly INotifyListener? _notify;
    private readonly int? _parentLinkFd;
    private readonly SystemdNotifier _systemd;
    private ParentLink? _parent;
    private StatsServer? _stats;
    private CommandServer? _commands;
    private MetricsServer? _metricsServer;
    private PrometheusExporter? _exporter;
    private ITimer? _lagTimer;
    private double _lastLagSeconds;
    private readonly EmperorMetrics _metrics = new();
    private ITimer? _periodic;
    private ITimer? _mercy;
    private bool _ragnarok;
    private long _scans;
    private Thread? _thread;

    public EmperorService(
        EmperorSettings settings,
        IReadOnlyList<IImperialMonitor> monitors,
        IVassalLauncher launcher,
        TimeProvider time,
        ILogger logger,
        IReadOnlyList<KeyValuePair<string, string>> environment,
        string selfExecutable,
        (int Uid, int Gid) identity = default,
        INotifyListener? notify = null,
        int? parentLinkFd = null,
        string? systemdNotifySocket = null)
    {
        _parentLinkFd = parentLinkFd;
        _systemd = new SystemdNotifier(systemdNotifySocket);
        _identity = identity;
        _notify = notify;
        _settings = settings;
        _monitors = monitors;
        _launcher = launcher;
        _time = time;
        _logger = logger;
        _environment = environment;
        _selfExecutable = selfExecutable;
        _rescanScheduled = new bool[monitors.Count];
        _policy = new VassalPolicy(settings.CurseTolerance, settings.GracefulShutdown, TimeSpan.FromSeconds(1), settings.RequiredHeartbeat, settings.LoyalAfter);
        _throttle = new SpawnThrottle(time, settings.Throttle);
        _blacklist = new Blacklist(time, settings.Throttle, settings.MaxThrottle, !settings.NoBlacklist);
        _startedAt = time.GetTimestamp();
    }

    /// <summary>Number of vassal records (for tests and stats).</summary>
    public int VassalCount => _records.Count;

    /// <summary>
    /// Runs the loop on the calling thread until the Emperor is buried, and returns the exit code. The
    /// executable calls it from its main thread: that thread lives as long as the process (PDEATHSIG follows
    /// the thread that forked), and tools that list a process's children through
    /// <c>/proc/PID/task/PID/children</c> then see the vassals.
    /// </summary>
    public int Run(bool handleSignals)
    {
        Prepare(handleSignals);
        Loop();
        return _exit.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs the loop on a dedicated thread; the task completes with the exit code (tests).</summary>
    public Task<int> RunAsync(bool handleSignals)
    {
        Prepare(handleSignals);
        _thread = new Thread(Loop) { Name = "emperor-loop", IsBackground = true };
        _thread.Start();
        return _exit.Task;
    }

    private void Prepare(bool handleSignals)
    {
        if (handleSignals)
        {
            foreach (var sig in new[] { Sigint, Sigterm, Sigquit, Sighup, Sigusr1, Sigurg, Sigwinch })
            {
                _signals.Add(PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
                {
                    ctx.Cancel = true;
                    Post(new EmperorEvent.Signal(sig));
                }));
            }
        }

        if (_settings.StatsAddress is { } statsAddress)
        {
            _stats = new StatsServer(statsAddress, _settings.StatsHttp, RequestStatsAsync, _logger);
            _stats.Start();
        }

        if (_settings.CommandSocket is { } commandPath)
        {
            _commands = new CommandServer(commandPath, ExecuteCommandAsync, _logger);
            _commands.Start();
        }

        if (_settings.MetricsAddress is { } metricsAddress)
        {
            _exporter = new PrometheusExporter(EmperorMetrics.MeterName);
            _metrics.Touch();
            _metricsServer = new MetricsServer(metricsAddress, _exporter, _logger);
            _metricsServer.Start();
        }

        _lagTimer = _time.CreateTimer(_ => Post(new EmperorEvent.LagProbe(_time.GetTimestamp())), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _notify?.Start((pid, sid, message) => Post(new EmperorEvent.Notify(pid, sid, message)));
        if (_parentLinkFd is { } fd)
        {
            LogSubEmperor(_logger);
            _parent = new ParentLink(fd, sig => Post(new EmperorEvent.Signal(sig)));
            _parent.Start();
        }
    }

    /// <summary>Runs a command-socket request on the loop (from any thread).</summary>
    public Task<string> ExecuteCommandAsync(ControlCommand command)
    {
        var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EmperorEvent.Command(command, reply));
        return reply.Task;
    }

    /// <summary>Asks the loop for a stats snapshot (from any thread).</summary>
    public Task<EmperorStats> RequestStatsAsync()
    {
        var reply = new TaskCompletionSource<EmperorStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EmperorEvent.StatsRequest(reply));
        return reply.Task;
    }

    /// <summary>Posts an event from any thread.</summary>
    public void Post(EmperorEvent e) => _events.Writer.TryWrite(e);

    private void Loop()
    {
        try
        {
            LogStarting(_logger);
            if (_settings.PidFile is { } pidFile)
            {
                File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            }

            _warmingUp = true;
            for (var i = 0; i < _monitors.Count; i++)
            {
                var index = i;
                _monitors[i].Start(() => Post(new EmperorEvent.MonitorDirty(index)));
                Rescan(i);
            }

            _warmingUp = false;
            _systemd.Send("READY=1");
            ReportStatus();

            _periodic = _time.CreateTimer(_ => Post(new EmperorEvent.PeriodicRescan()), null, _settings.Frequency, _settings.Frequency);
            var reader = _events.Reader;
            while (!_exit.Task.IsCompleted)
            {
                if (!reader.TryRead(out var e))
                {
                    // Blocking wait on the dedicated thread: nothing else runs here, and the thread must stay
                    // alive (PDEATHSIG is tied to it), so it must not become an async continuation.
                    if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                Handle(e);
            }
        }
        catch (Exception ex)
        {
            LogLoopCrashed(_logger, ex);
            KillEverything();
            _exit.TrySetResult(1);
        }
    }

    private void Handle(EmperorEvent e)
    {
        _spawnsThisEvent = 0;
        switch (e)
        {
            case EmperorEvent.MonitorDirty d:
                if (!_rescanScheduled[d.Monitor] && !_ragnarok)
                {
                    _rescanScheduled[d.Monitor] = true;
                    OneShot(s_coalesce, new EmperorEvent.RescanDue(d.Monitor));
                }

                break;
            case EmperorEvent.RescanDue r:
                _rescanScheduled[r.Monitor] = false;
                Rescan(r.Monitor);
                break;
            case EmperorEvent.PeriodicRescan:
                for (var i = 0; i < _monitors.Count; i++)
                {
                    Rescan(i);
                }

                ReportStatusToMonitors();

                break;
            case EmperorEvent.ProcessExited x:
                OnProcessExited(x.Pid, x.WaitStatus);
                break;
            case EmperorEvent.LinkByte b:
                if (_records.TryGetValue(b.Name, out var rb) && rb.State.Pid == b.Pid)
                {
                    if (b.Message == Core.Protocol.EmperorMessage.ResendConfig && rb.Entry.InlineConfig is { } inline)
                    {
                        // A uWSGI master about to re-exec for a reload reads its config again (spec §7.2, §7.3).
                        rb.Process?.PushConfig(System.Text.Encoding.UTF8.GetBytes(inline));
                    }

                    Apply(rb, new VassalEvent.LinkMessage(b.Message));
                }

                break;
            case EmperorEvent.LinkEof eof:
                if (_records.TryGetValue(eof.Name, out var re) && re.State.Pid == eof.Pid)
                {
                    Apply(re, new VassalEvent.LinkClosed());
                }

                break;
            case EmperorEvent.VassalTimer t:
                if (_records.TryGetValue(t.Name, out var rt))
                {
                    Apply(rt, new VassalEvent.TimerFired(t.Generation));
                }

                break;
            case EmperorEvent.Signal s:
                OnSignal(s.Number);
                break;
            case EmperorEvent.MercyExpired:
                foreach (var r in _records.Values.Where(r => r.Process is not null).ToList())
                {
                    LogNoMercy(_logger, r.Name, r.State.Pid);
                    r.Process!.SignalGroup(Sigkill);
                }

                OneShot(TimeSpan.FromSeconds(5), new EmperorEvent.FinalDeadline());
                break;
            case EmperorEvent.FinalDeadline:
                Bury();
                break;
            case EmperorEvent.HeartbeatDeadline h:
                if (_records.TryGetValue(h.Name, out var rh))
                {
                    Apply(rh, new VassalEvent.HeartbeatMissed(h.Generation));
                }

                break;
            case EmperorEvent.LoyaltyDue l:
                if (_records.TryGetValue(l.Name, out var rl))
                {
                    Apply(rl, new VassalEvent.LoyaltyPeriodElapsed(l.Spawn));
                }

                break;
            case EmperorEvent.ThrottleDue:
                _throttleTimer?.Dispose();
                _throttleTimer = null;
                DrainSpawnQueue();
                break;
            case EmperorEvent.SpawnSliceDue:
                _sliceScheduled = false;
                DrainSpawnQueue();
                break;
            case EmperorEvent.Notify n:
                OnNotify(n);
                break;
            case EmperorEvent.Command c:
                c.Reply.TrySetResult(OnCommand(c.Request));
                break;
            case EmperorEvent.LagProbe probe:
                _lastLagSeconds = _time.GetElapsedTime(probe.PostedAt).TotalSeconds;
                break;
            case EmperorEvent.StatsRequest sr:
                sr.Reply.TrySetResult(BuildStats());
                break;
        }

        if (_ragnarok && _records.Count == 0)
        {
            Bury();
        }
        else if (e is EmperorEvent.ProcessExited or EmperorEvent.RescanDue or EmperorEvent.PeriodicRescan)
        {
            ReportStatus();
        }

        if (_exporter is not null)
        {
            PublishGauges();
        }
    }

    private void PublishGauges()
    {
        var byState = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in _records.Values)
        {
            var name = PhaseName(r.State.Phase);
            byState[name] = byState.GetValueOrDefault(name) + 1;
        }

        _metrics.Publish(new EmperorMetrics.GaugeSnapshot(
            byState.ToList(),
            _blacklist.Entries.Count(),
            (long)_throttle.Level.TotalMilliseconds,
            _spawnQueue.Count,
            _lastLagSeconds));
    }

    private static string PhaseName(VassalPhase phase) => phase switch
    {
        VassalPhase.New => "new",
        VassalPhase.Running => "running",
        VassalPhase.Waiting => "waiting",
        VassalPhase.Restarting => "restarting",
        VassalPhase.Stopping => "stopping",
        VassalPhase.Exiled => "exiled",
        VassalPhase.Held => "held",
        _ => "deleted",
    };

    private string OnCommand(ControlCommand command)
    {
        VassalRecord? record = null;
        if (command.Name is { } name && !_records.TryGetValue(name, out record))
        {
            return $"error no vassal named \"{name}\"";
        }

        if (_ragnarok)
        {
            return "error the Emperor is shutting down";
        }

        switch (command.Verb)
        {
            case ControlVerb.Reload:
                Apply(record!, new VassalEvent.ConfigChanged("requested by an operator"));
                return $"ok reloading {record!.Name}";
            case ControlVerb.ReloadAll:
                var n = _records.Count;
                OnSignal(Sighup);
                return $"ok reloading {n} vassals";
            case ControlVerb.Stop:
                if (record!.State.Phase is VassalPhase.Held or VassalPhase.Stopping)
                {
                    return $"ok {record.Name} is already stopped or stopping";
                }

                Apply(record, new VassalEvent.OperatorStop());
                return $"ok stopping {record.Name}";
            case ControlVerb.Start:
                if (record!.State.Phase is not (VassalPhase.Held or VassalPhase.Waiting or VassalPhase.Exiled))
                {
                    return $"error {record.Name} is {PhaseName(record.State.Phase)}, not stopped";
                }

                Apply(record, new VassalEvent.OperatorStart());
                return $"ok starting {record.Name}";
            case ControlVerb.Pardon:
                var entries = _blacklist.Entries.Count();
                OnSignal(Sigurg);
                return $"ok blacklist cleared ({entries} entries)";
            default:
                for (var i = 0; i < _monitors.Count; i++)
                {
                    Rescan(i);
                }

                return "ok rescanned";
        }
    }

    private void ReportStatusToMonitors()
    {
        if (_ragnarok)
        {
            return;
        }

        var stats = BuildStats();
        for (var i = 0; i < _monitors.Count; i++)
        {
            var argument = _monitors[i].Argument;
            _monitors[i].ReportStatus(stats.Vassals.Where(v => v.Monitor == argument).ToList());
        }
    }

    private void ReportStatus() =>
        _systemd.Status(_ragnarok ? "The Emperor is burying its vassals" : $"The Emperor is governing {_byPid.Count} vassals");

    private void Rescan(int index)
    {
        if (_ragnarok)
        {
            return;
        }

        var monitor = _monitors[index];
        var scanned = monitor.Scan();
        _scans++;
        if (scanned is not { } current)
        {
            return; // the source is unavailable: keep every vassal as it is
        }

        var now = _time.GetTimestamp();
        foreach (var (name, entry) in current)
        {
            if (_records.TryGetValue(name, out var record))
            {
                if (record.Monitor != index)
                {
                    continue; // names are global: the first monitor that produced it owns it (spec §2.1)
                }

                record.MissingSince = null;
                var old = record.Entry;
                record.Entry = entry;
                if (_settings.Tyrant && (old.Uid != entry.Uid || old.Gid != entry.Gid))
                {
                    LogOwnerChanged(_logger, name, entry.Uid, entry.Gid);
                    if (entry.Uid == 0 || entry.Gid == 0)
                    {
                        // Never restart as root: stop it, and refuse the file until it has a non-root owner again.
                        if (_refusedTyrant.Add(name))
                        {
                            LogTyrantRefused(_logger, name, entry.Uid, entry.Gid);
                        }

                        Apply(record, new VassalEvent.Removed("its config is now owned by root (tyrant mode)"));
                    }
                    else
                    {
                        Apply(record, new VassalEvent.OwnerChanged());
                    }
                }
                else if (old.ModifiedNs != entry.ModifiedNs || !string.Equals(old.InlineConfig, entry.InlineConfig, StringComparison.Ordinal))
                {
                    Apply(record, new VassalEvent.ConfigChanged("config changed"));
                }

                continue;
            }

            if (_settings.Tyrant && (entry.Uid == 0 || entry.Gid == 0))
            {
                if (_refusedTyrant.Add(name))
                {
                    LogTyrantRefused(_logger, name, entry.Uid, entry.Gid);
                }

                continue;
            }

            _refusedTyrant.Remove(name);
            var (state, effects) = VassalStateMachine.Start(name);
            var created = new VassalRecord(name, index, entry, state) { FirstRun = _time.GetUtcNow().ToUnixTimeSeconds() };
            _records[name] = created;
            Execute(created, effects);
        }

        _refusedTyrant.RemoveWhere(n => !current.ContainsKey(n) && !_records.ContainsKey(n));
        var confirmLater = false;
        foreach (var record in _records.Values.Where(r => r.Monitor == index && !current.ContainsKey(r.Name)).ToList())
        {
            if (record.MissingSince is null)
            {
                record.MissingSince = now;
                confirmLater = true;
            }
            else if (_time.GetElapsedTime(record.MissingSince.Value, now) >= s_removalConfirm)
            {
                Apply(record, new VassalEvent.Removed("its config is gone"));
            }
            else
            {
                confirmLater = true;
            }
        }

        if (confirmLater && !_rescanScheduled[index])
        {
            _rescanScheduled[index] = true;
            OneShot(s_removalConfirm, new EmperorEvent.RescanDue(index));
        }
    }

    private void Apply(VassalRecord record, VassalEvent e)
    {
        var before = record.State;
        var (state, effects) = VassalStateMachine.Apply(before, e, _policy, _blacklist);
        record.State = state;
        Count(before, state, e);
        Stamp(record, before, state, e);
        Execute(record, effects);
    }

    private void Count(VassalState before, VassalState after, VassalEvent e)
    {
        switch (e)
        {
            case VassalEvent.Spawned:
                _metrics.Spawns.Add(1);
                if (after.Restarts > before.Restarts)
                {
                    _metrics.Restarts.Add(1);
                }

                break;
            case VassalEvent.Exited when after.Pid == 0 && before.Pid != 0:
                _metrics.Deaths.Add(1);
                break;
            case VassalEvent.HeartbeatMissed when after.HeartbeatGeneration != before.HeartbeatGeneration || after.Phase != before.Phase:
                _metrics.HeartbeatTimeouts.Add(1);
                break;
            default:
                break;
        }

        if (after.Respawns > before.Respawns || (e is VassalEvent.ConfigChanged && after.Phase == VassalPhase.Restarting))
        {
            _metrics.Reloads.Add(1);
        }
    }

    /// <summary>Keeps the uWSGI stats timestamps (unix seconds) in step with the state.</summary>
    private void Stamp(VassalRecord record, VassalState before, VassalState after, VassalEvent e)
    {
        var now = _time.GetUtcNow();
        var unix = now.ToUnixTimeSeconds();
        if (after.Ready && !before.Ready)
        {
            record.LastReady = unix;
        }

        if (after.Accepting && !before.Accepting)
        {
            record.LastAccepting = unix;
        }

        if (after.Loyal && !before.Loyal)
        {
            record.LastLoyal = unix;
        }

        if (e is VassalEvent.LinkMessage { Message: Core.Protocol.EmperorMessage.Heartbeat })
        {
            record.LastHeartbeat = unix;
        }

        if (e is VassalEvent.Spawned)
        {
            record.LastRun = unix;
            record.LastHeartbeat = 0;
        }

        record.CursedAt = after.Cursed || after.Phase is VassalPhase.Stopping ? (record.CursedAt == 0 ? unix : record.CursedAt) : 0;
        record.NextSpawnAt = after.Phase == VassalPhase.Waiting
            ? (before.Phase == VassalPhase.Waiting && before.TimerGeneration == after.TimerGeneration ? record.NextSpawnAt : (now + after.WaitDelay).ToUnixTimeMilliseconds() / 1000.0)
            : null;
    }

    private EmperorStats BuildStats()
    {
        var now = _time.GetUtcNow();
        var vassals = new List<VassalStats>(_records.Count);
        foreach (var r in _records.Values)
        {
            var s = r.State;
            vassals.Add(new VassalStats
            {
                Id = r.Name,
                Pid = s.Pid > 0 ? s.Pid : -1,
                Born = r.BornNs / 1_000_000_000,
                LastMod = r.Entry.ModifiedNs / 1_000_000_000,
                LastHeartbeat = r.LastHeartbeat,
                Loyal = s.Loyal ? 1 : 0,
                Ready = s.Ready ? 1 : 0,
                Accepting = s.Accepting ? 1 : 0,
                LastLoyal = r.LastLoyal,
                LastReady = r.LastReady,
                LastAccepting = r.LastAccepting,
                FirstRun = r.FirstRun,
                LastRun = r.LastRun,
                Cursed = r.CursedAt,
                Zerg = 0,
                OnDemand = string.Empty,
                Uid = r.Entry.Uid,
                Gid = r.Entry.Gid,
                Monitor = _monitors[r.Monitor].Argument,
                Respawns = s.Respawns,
                State = PhaseName(s.Phase),
                Reason = s.Reason ?? string.Empty,
                Restarts = s.Restarts,
                SpeaksProtocol = s.SpeaksProtocol,
                LastExitCode = s.LastExit?.ExitCode,
                LastExitSignal = s.LastExit?.Signal,
                NextSpawn = r.NextSpawnAt,
                Status = r.Status,
                Uptime = s.Pid > 0 && r.StartedAt is { } started ? (long)(now - started).TotalSeconds : 0,
            });
        }

        var blacklist = _blacklist.Entries.Select(b => new BlacklistStats
        {
            Id = b.Name,
            ThrottleLevel = (long)b.Level.TotalMilliseconds,
            Attempt = b.Attempts,
            FirstAttempt = ToUnix(b.FirstAttempt, now),
            LastAttempt = ToUnix(b.LastAttempt, now),
            Reason = _records.TryGetValue(b.Name, out var rec) ? rec.State.Reason ?? string.Empty : string.Empty,
        }).ToList();

        return new EmperorStats
        {
            Version = VersionInfo.Version,
            Pid = Environment.ProcessId,
            Uid = _identity.Uid,
            Gid = _identity.Gid,
            Cwd = Directory.GetCurrentDirectory(),
            Emperor = _monitors.Select(m => m.Argument).ToList(),
            EmperorTyrant = _settings.Tyrant ? 1 : 0,
            ThrottleLevel = (long)_throttle.Level.TotalMilliseconds,
            Vassals = vassals,
            Blacklist = blacklist,
            Uptime = (long)_time.GetElapsedTime(_startedAt).TotalSeconds,
            ThrottleQueue = _spawnQueue.Select(q => q.Record.Name).ToList(),
            Ragnarok = _ragnarok,
            Scans = _scans,
        };
    }

    private long ToUnix(long timestamp, DateTimeOffset now) =>
        (now - _time.GetElapsedTime(timestamp)).ToUnixTimeSeconds();

    private void Execute(VassalRecord record, List<VassalEffect> effects)
    {
        // Outcomes found while running effects are applied after the whole batch, so that a later effect of
        // the same batch (a timer) cannot undo what the outcome decides.
        List<VassalEvent>? followUps = null;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case VassalEffect.Spawn:
                    RequestSpawn(record);
                    break;
                case VassalEffect.StartHeartbeatTimer hb:
                    record.HeartbeatTimer?.Dispose();
                    var hbName = record.Name;
                    var hbGen = hb.Generation;
                    record.HeartbeatTimer = _time.CreateTimer(_ => Post(new EmperorEvent.HeartbeatDeadline(hbName, hbGen)), null, hb.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.StartLoyaltyTimer lt:
                    record.LoyaltyTimer?.Dispose();
                    var lName = record.Name;
                    var lSpawn = lt.SpawnNumber;
                    record.LoyaltyTimer = _time.CreateTimer(_ => Post(new EmperorEvent.LoyaltyDue(lName, lSpawn)), null, lt.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.SendMessage m:
                    record.Process?.Link.TrySend(m.Message);
                    break;
                case VassalEffect.SignalGroup g:
                    if (record.Process is { } target && target.SignalGroup(g.Signal) && g.Signal == Sigterm && target.IgnoresSignal(Sigterm))
                    {
                        (followUps ??= []).Add(new VassalEvent.SigtermIgnored());
                    }

                    break;
                case VassalEffect.StartTimer t:
                    record.Timer?.Dispose();
                    var name = record.Name;
                    var gen = t.Generation;
                    record.Timer = _time.CreateTimer(_ => Post(new EmperorEvent.VassalTimer(name, gen)), null, t.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case VassalEffect.VerifyReloadConsumed:
                    var unread = record.Process?.Link.UnreadByPeer() ?? 0;
                    (followUps ??= []).Add(unread > 0 ? new VassalEvent.ReloadIgnored() : new VassalEvent.ReloadAcknowledged());
                    break;
                case VassalEffect.Delete:
                    Delete(record);
                    break;
                case VassalEffect.Log l:
                    LogDecision(l);
                    break;
            }
        }

        if (followUps is not null && _records.ContainsKey(record.Name))
        {
            foreach (var e in followUps)
            {
                Apply(record, e);
            }
        }
    }

    /// <summary>
    /// Spawns now, or queues behind the throttle: a spawn that comes with others (one scan finding many new
    /// configs, many deaths at once) waits its turn; a lone one never does; the first scan is exempt.
    /// </summary>
    private void RequestSpawn(VassalRecord record)
    {
        if (_ragnarok || record.SpawnQueued)
        {
            return;
        }

        // Throttle-exempt: the first scan, or throttling off. Exempt spawns still go in slices.
        var exempt = _warmingUp || !_throttle.Enabled;
        var lone = _spawnQueue.Count == 0 && _spawnsThisEvent == 0;
        if ((exempt || lone) && _spawnQueue.Count == 0 && _spawnsThisEvent < SpawnSlice)
        {
            _spawnsThisEvent++;
            Spawn(record, exempt);
            return;
        }

        record.SpawnQueued = true;
        _spawnQueue.Enqueue((record, exempt));
        if (_spawnsThisEvent >= SpawnSlice)
        {
            ScheduleSlice(); // the next slice, after whatever else is waiting
            return;
        }

        DrainSpawnQueue();
    }

    private void ScheduleSlice()
    {
        if (!_sliceScheduled)
        {
            _sliceScheduled = true;
            Post(new EmperorEvent.SpawnSliceDue());
        }
    }

    private void DrainSpawnQueue()
    {
        while (_spawnQueue.Count > 0 && !_ragnarok)
        {
            var (next, exempt) = _spawnQueue.Peek();
            var delay = exempt ? TimeSpan.Zero : _throttle.DelayForQueued();
            if (delay > TimeSpan.Zero)
            {
                _throttleTimer ??= _time.CreateTimer(_ => Post(new EmperorEvent.ThrottleDue()), null, delay, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_spawnsThisEvent >= SpawnSlice)
            {
                ScheduleSlice();
                return;
            }

            _spawnQueue.Dequeue();
            next.SpawnQueued = false;
            if (_records.TryGetValue(next.Name, out var current) && ReferenceEquals(current, next) && next.State.Phase == VassalPhase.New)
            {
                _spawnsThisEvent++;
                Spawn(next, exempt);
            }
        }
    }

    private void Spawn(VassalRecord record, bool exempt)
    {
        if (_ragnarok)
        {
            return;
        }

        if (!exempt)
        {
            _throttle.OnSpawned();
        }

        var entry = record.Entry;
        var monitor = _monitors[record.Monitor];
        var flag = VassalFormat.FlagFor(record.Name, _settings.ExtraExtensions) ?? "--inherit";
        var configPath = entry.InlineConfig is not null ? "emperor://" + record.Name : record.Name;
        var executable = _settings.Wrapper ?? _settings.BinaryPath ?? _selfExecutable;
        var argv = VassalCommandLine.Build(_settings, executable, flag, configPath);
        var env = VassalEnvironment.Build(_environment, entry.Path);
        if (_notify is not null)
        {
            env.Add(new("NOTIFY_SOCKET", _notify.Address));
            env.Add(new("WATCHDOG_USEC", ((long)_settings.RequiredHeartbeat.TotalMicroseconds).ToString(CultureInfo.InvariantCulture)));
        }

        int? uid = _settings.Tyrant ? entry.Uid : null;
        int? gid = _settings.Tyrant ? entry.Gid : null;
        if (_settings.Tyrant && (entry.Uid == 0 || entry.Gid == 0))
        {
            Apply(record, new VassalEvent.SpawnFailed("tyrant mode never runs a vassal as root"));
            return;
        }

        if (_settings.Tyrant)
        {
            LogTyrantDrop(_logger, uid!.Value, gid!.Value, record.Name);
        }

        var request = new LaunchRequest(
            executable,
            argv,
            monitor.WorkingDirectory,
            env,
            uid,
            gid,
            entry.InlineConfig is null ? null : System.Text.Encoding.UTF8.GetBytes(entry.InlineConfig));
        var result = _launcher.Launch(request, (pid, status) => Post(new EmperorEvent.ProcessExited(pid, status)));
        if (result.Process is not { } process)
        {
            Apply(record, new VassalEvent.SpawnFailed(result.Error ?? "unknown error"));
            return;
        }

        record.Process = process;
        record.StartedAt = _time.GetUtcNow();
        _byPid[process.Pid] = record;
        Apply(record, new VassalEvent.Spawned(process.Pid));
        _ = ReadLinkAsync(record.Name, process);
    }

    private async Task ReadLinkAsync(string name, IVassalProcess process)
    {
        var buffer = new byte[64];
        var pid = process.Pid;
        try
        {
            while (true)
            {
                var n = await process.Link.ReceiveAsync(buffer, CancellationToken.None);
                if (n <= 0)
                {
                    break;
                }

                for (var i = 0; i < n; i++)
                {
                    Post(new EmperorEvent.LinkByte(name, pid, buffer[i]));
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return; // the record let go of the link: nothing to report
        }

        Post(new EmperorEvent.LinkEof(name, pid));
    }

    private void OnProcessExited(int pid, int waitStatus)
    {
        if (!_byPid.Remove(pid, out var record))
        {
            return;
        }

        var process = record.Process;
        if (process is not null && process.Pid == pid)
        {
            // An app's own children must not outlive it (a hung uWSGI worker would keep the port).
            if (process.KillLeftovers())
            {
                LogLeftoversKilled(_logger, record.Name, pid);
            }

            _launcher.Forget(pid);
            record.Process = null;
            process.Dispose();
        }

        Apply(record, new VassalEvent.Exited(pid, VassalExit.FromWaitStatus(waitStatus)));
    }

    /// <summary>Handles one sd_notify datagram (already size-checked by the listener).</summary>
    private void OnNotify(EmperorEvent.Notify n)
    {
        if (!_byPid.TryGetValue(n.SenderPid, out var record) && !_byPid.TryGetValue(n.SessionId, out record))
        {
            return; // not from a vassal of ours (or from one that is already gone)
        }

        foreach (var line in n.Message.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq];
            var value = line[(eq + 1)..];
            switch (key)
            {
                case "READY" when value == "1":
                    Apply(record, new VassalEvent.NotifyReady());
                    break;
                case "RELOADING" or "STOPPING" when value == "1":
                    Apply(record, new VassalEvent.NotifyNotReady());
                    break;
                case "WATCHDOG" when value == "1":
                    Apply(record, new VassalEvent.Heartbeat());
                    break;
                case "STATUS":
                    record.Status = value.Length > 256 ? value[..256] : value;
                    break;
                default:
                    break;
            }
        }
    }

    private void Delete(VassalRecord record)
    {
        record.Timer?.Dispose();
        record.Timer = null;
        record.HeartbeatTimer?.Dispose();
        record.LoyaltyTimer?.Dispose();
        if (record.Process is { } p)
        {
            _byPid.Remove(p.Pid);
            p.Dispose();
            record.Process = null;
        }

        _records.Remove(record.Name);
        _blacklist.Drop(record.Name);
    }

    private void OnSignal(int sig)
    {
        switch (sig)
        {
            case Sigint or Sigterm or Sigquit:
                if (_ragnarok)
                {
                    LogRagnarokInProgress(_logger);
                    return;
                }

                _ragnarok = true;
                LogRagnarok(_logger);
                _systemd.Send("STOPPING=1");
                foreach (var queued in _spawnQueue)
                {
                    queued.Record.SpawnQueued = false;
                }

                _spawnQueue.Clear();
                _periodic?.Dispose();
                foreach (var r in _records.Values.ToList())
                {
                    Apply(r, new VassalEvent.Removed("Ragnarok"));
                }

                _mercy = _time.CreateTimer(_ => Post(new EmperorEvent.MercyExpired()), null, _settings.ReloadMercy, Timeout.InfiniteTimeSpan);
                break;
            case Sighup:
                LogReloadAll(_logger, _records.Count);
                foreach (var r in _records.Values.ToList())
                {
                    Apply(r, new VassalEvent.ConfigChanged("SIGHUP"));
                }

                break;
            case Sigusr1:
                if (!_logger.IsEnabled(LogLevel.Information))
                {
                    break;
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

                break;
            case Sigurg:
                var n = _blacklist.Clear();
                LogBlacklistCleared(_logger, n);
                foreach (var r in _records.Values.ToList())
                {
                    Apply(r, new VassalEvent.Pardoned());
                }

                break;
            case Sigwinch:
                for (var i = 0; i < _monitors.Count; i++)
                {
                    Rescan(i);
                }

                break;
        }
    }

    private void OneShot(TimeSpan delay, EmperorEvent e)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                Post(e);
                timer?.Dispose();
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
    }

    private void Bury()
    {
        if (_exit.Task.IsCompleted)
        {
            return;
        }

        _mercy?.Dispose();
        _periodic?.Dispose();
        _throttleTimer?.Dispose();
        LogBuried(_logger);
        _exit.TrySetResult(0);
    }

    private void KillEverything()
    {
        foreach (var r in _records.Values)
        {
            r.Process?.SignalGroup(Sigkill);
        }
    }

    private void LogDecision(VassalEffect.Log log)
    {
        var level = log.Kind switch
        {
            VassalLogKind.Died or VassalLogKind.Blacklisted or VassalLogKind.Curse or VassalLogKind.Kill or VassalLogKind.SpawnFailed or VassalLogKind.Exiled => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogVassal(_logger, level, log.Message);
    }

    public async ValueTask DisposeAsync()
    {
        _lagTimer?.Dispose();
        if (_commands is not null)
        {
            await _commands.DisposeAsync();
            _commands = null;
        }

        if (_metricsServer is not null)
        {
            await _metricsServer.DisposeAsync();
            _metricsServer = null;
        }

        _exporter?.Dispose();
        _metrics.Dispose();
        if (_stats is not null)
        {
            await _stats.DisposeAsync();
            _stats = null;
        }

        foreach (var s in _signals)
        {
            s.Dispose();
        }

        _signals.Clear();
        if (!_exit.Task.IsCompleted)
        {
            Post(new EmperorEvent.Signal(Sigterm));
            await _exit.Task.WaitAsync(_settings.ReloadMercy + TimeSpan.FromSeconds(10));
        }

        _events.Writer.TryComplete();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        foreach (var m in _monitors)
        {
            m.Dispose();
        }

        _notify?.Dispose();
        _parent?.Dispose();
        _systemd.Dispose();
    }
}
