using System.Threading.Channels;
using Emperor.Core.Abstractions;
using Emperor.Core.Control;
using Emperor.Core.Emperor;
using Emperor.Core.Monitoring;
using Emperor.Core.Policies;
using Emperor.Core.Stats;
using Emperor.Core.Vassals;
using Emperor.Hosting.Metrics;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// The Emperor: keeps exactly the right vassals running for its imperial monitors. One class in partial files, one
/// concept each (in the manner of dotnet/runtime's <c>Process.*.cs</c>): the loop and its dispatch
/// (<c>.Loop</c>), starting and disposing the servers (<c>.Lifetime</c>), sources (<c>.Sources</c>), the state
/// machine's effects (<c>.Lifecycle</c>), spawning (<c>.Spawn</c>), exits (<c>.Exits</c>), sd_notify
/// (<c>.Notify</c>), signals (<c>.Signals</c>), operator commands (<c>.Commands</c>), stats (<c>.Stats</c>),
/// metrics (<c>.Metrics</c>) and the end (<c>.Ragnarok</c>). Decisions live in sealed classes that tests drive
/// alone: <see cref="SourceReconciler"/>, <see cref="SpawnQueue"/>, <see cref="VassalStateMachine"/>,
/// <see cref="Termination"/>.
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
    /// <summary>inotify events come in bursts (an editor's save is several); one scan answers a burst.</summary>
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(20);

    private readonly EmperorSettings _settings;
    private readonly IReadOnlyList<IImperialMonitor> _monitors;
    private readonly IVassalLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<EmperorEvent> _events = Channel.CreateUnbounded<EmperorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, VassalRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<int, VassalRecord> _byPid = [];
    private readonly bool[] _rescanScheduled;
    private readonly VassalPolicy _policy;
    private readonly Blacklist _blacklist;
    private readonly SpawnThrottle _throttle;
    private readonly SpawnQueue _spawns;
    private readonly TyrantGate _tyrant;
    private readonly SourceReconciler _sources;
    private readonly LaunchRequestBuilder _requests;
    private readonly Termination _termination;
    private readonly Func<string, string?>? _preflight;
    private readonly HeldSockets? _held;
    private readonly Core.Abstractions.IDatagramSender? _announcer;
    private readonly IVassalConfigReader? _configReader;
    private readonly string _self;
    private readonly IReadinessWatcher? _readiness;
    private readonly ISocketBinder? _onDemandBinder;
    private readonly Func<string, string?>? _readFirstLine;
    private readonly Func<string, string, Task<string?>>? _runOnDemandExec;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startedAt;
    private readonly (int Uid, int Gid) _identity;
    private readonly INotifyListener? _notify;
    private readonly int? _parentLinkFd;
    private readonly SystemdNotifier _systemd;
    private readonly EmperorMetrics _metrics;
    private readonly Logs.LogHub? _logs;
    private readonly IVassalCgroups? _cgroups;
    private readonly List<System.Runtime.InteropServices.PosixSignalRegistration> _signals = [];
    private ParentLink? _parent;
    private StatsServer? _stats;
    private CommandServer? _commands;
    private MetricsServer? _metricsServer;
    private Dashboard.DashboardServer? _dashboard;
    private PrometheusExporter? _exporter;
    private ITimer? _lagTimer;
    private ITimer? _periodic;
    private double _lastLagSeconds;
    private bool _ragnarok;
    private long _scans;
    private Thread? _thread;

    public EmperorService(EmperorHost host, EmperorSettings settings, IReadOnlyList<IImperialMonitor> monitors)
    {
        _settings = settings;
        _monitors = monitors;
        _launcher = host.Launcher;
        _time = host.Time;
        _logger = host.Logger;
        _identity = host.Identity;
        _notify = host.Notify;
        _parentLinkFd = host.ParentLinkFd;
        _systemd = new SystemdNotifier(host.SystemdNotifySocket);
        _logs = host.Logs;
        _cgroups = host.Cgroups;
        _metrics = new EmperorMetrics(host.Cgroups);
        _rescanScheduled = new bool[monitors.Count];
        _policy = new VassalPolicy(settings.CurseTolerance, settings.GracefulShutdown, TimeSpan.FromSeconds(1), settings.RequiredHeartbeat, settings.LoyalAfter);
        _throttle = new SpawnThrottle(_time, settings.Throttle);
        _blacklist = new Blacklist(_time, settings.Throttle, settings.MaxThrottle, !settings.NoBlacklist);
        _spawns = new SpawnQueue(_throttle, _time, Post, IsWaitingToSpawn, Spawn);
        _tyrant = new TyrantGate(settings.Tyrant);
        _sources = new SourceReconciler(_time, _tyrant);
        _requests = new LaunchRequestBuilder(settings, host.SelfExecutable, host.Environment, _notify?.Address);
        _termination = new Termination(_logger);
        _preflight = host.Preflight;
        _self = host.SelfExecutable;
        _readiness = host.Readiness;
        _onDemandBinder = host.SocketBinder;
        _announcer = host.Announcer;
        _readFirstLine = host.ReadFirstLine;
        _runOnDemandExec = host.RunOnDemandExec;
        _configReader = host.ConfigReader;
        if (host.SocketBinder is not null && host.ConfigReader is not null)
        {
            _held = new HeldSockets(host.SocketBinder);
        }

        _startedAt = _time.GetTimestamp();
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

    /// <summary>Runs a command-socket request on the loop (from any thread).</summary>
    public Task<string> ExecuteCommandAsync(ControlCommand command)
    {
        var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EmperorEvent.Command(command, reply));
        return reply.Task;
    }

    /// <summary>Asks the loop for a stats snapshot (from any thread).</summary>
    public async Task<EmperorStats> RequestStatsAsync()
    {
        var reply = new TaskCompletionSource<EmperorStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EmperorEvent.StatsRequest(reply));
        var stats = await reply.Task.ConfigureAwait(false);

        // The cgroup numbers are read here, on the requester's thread, never on the loop.
        return _cgroups is null ? stats : WithCgroupUsage(stats, _cgroups);
    }

    /// <summary>Posts an event from any thread.</summary>
    public void Post(EmperorEvent e) => _events.Writer.TryWrite(e);
}
