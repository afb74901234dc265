using System.Net.Sockets;
using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Microsoft.Extensions.Logging;

namespace Emperor.Zmq;

/// <summary>
/// <c>zmq://ENDPOINT</c> (spec §2.8, uWSGI's emperor_zeromq): a PULL socket bound on ENDPOINT; PUSH peers send
/// multipart <c>touch NAME [CONFIG [UID [GID [SOCKET]]]]</c> and <c>destroy NAME</c> messages, which define and remove
/// vassals in a <see cref="PushedVassals"/> set that <see cref="Scan"/> returns.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Threads: one accept task and one task per connection; each applies its messages to the set (which locks) and
/// asks the loop for a scan. Messages of one connection apply in order; ZeroMQ orders nothing across peers either.</item>
/// <item>A peer that breaks the protocol, or sends a message above the size limit, loses its connection; a message that
/// is not a command is refused with one line (at most one per peer per minute). Neither touches any vassal.</item>
/// <item>The set lives as long as the Emperor: as with uWSGI, a vassal defined by a message runs until a destroy (or
/// Ragnarok), and comes back after a crash. uWSGI loses a vassal that crashes before it is loyal (its blacklist
/// gate skips the re-add, and no scan ever adds it again); here it comes back when the gate opens.</item>
/// </list>
/// </remarks>
internal sealed partial class ZmqMonitor : IImperialMonitor
{
    private readonly ZmqEndpoint _endpoint;
    private readonly Socket _listener;
    private readonly ZmqMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PushedVassals _vassals = new();
    private readonly ProblemLimiter _problems;
    private readonly HashSet<string> _socketNoticed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private volatile Action? _onDirty;
    private Task? _accepting;
    private int _disposed;

    private ZmqMonitor(ZmqEndpoint endpoint, Socket listener, ZmqMonitorOptions options, ILogger logger, TimeProvider time)
    {
        _endpoint = endpoint;
        _listener = listener;
        _options = options;
        _logger = logger;
        _time = time;
        _problems = new ProblemLimiter(options.ProblemLogPeriod);
    }

    public string Argument => ZmqEndpoint.Scheme + _endpoint.Text;

    public string WorkingDirectory => _options.WorkingDirectory;

    /// <summary>Where the socket is bound (a wildcard port resolved), for logs and tests.</summary>
    public string BoundAddress => _listener.LocalEndPoint?.ToString() ?? _endpoint.Text;

    /// <summary>Parses <c>zmq://ENDPOINT</c> and binds it (as uWSGI, a bind that fails is fatal); null and a reason otherwise.</summary>
    public static ZmqMonitor? Create(string argument, ZmqMonitorOptions options, IFileSystem fs, ILogger logger, TimeProvider time, out string? error)
    {
        var text = argument.StartsWith(ZmqEndpoint.Scheme, StringComparison.Ordinal) ? argument[ZmqEndpoint.Scheme.Length..] : argument;
        var endpoint = ZmqEndpoint.Parse(text, out error);
        var listener = endpoint?.Bind(fs, out error);
        return endpoint is null || listener is null ? null : new ZmqMonitor(endpoint, listener, options, logger, time);
    }

    public void Start(Action onDirty)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_accepting is not null)
        {
            return;
        }

        _onDirty = onDirty;
        LogListening(_logger, Argument, BoundAddress);
        _accepting = Task.Run(AcceptAsync);
    }

    public Dictionary<string, SourceEntry>? Scan() => _vassals.Snapshot();

    private async Task AcceptAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket peer;
            try
            {
                peer = await _listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and the like: say so (rate-limited), breathe, go on accepting.
                Problem("accept", $"cannot accept a connection: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, CancellationToken.None);
                continue;
            }

            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => ServeAsync(peer, ct), CancellationToken.None));
            }
        }
    }

    private async Task ServeAsync(Socket peer, CancellationToken ct)
    {
        var who = peer.RemoteEndPoint is { } remote && remote.ToString() is { Length: > 0 } r ? r : "a local peer";
        await using var stream = new NetworkStream(peer, ownsSocket: true);
        var session = new ZmtpSession(stream, _options.MaxMessageBytes);
        try
        {
            await session.HandshakeAsync(ct);
            while (await session.ReadMessageAsync(ct) is { } parts)
            {
                Apply(parts, who);
            }
        }
        catch (ZmtpException e)
        {
            Problem(who, $"{who}: {e.Message}; connection closed");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away, or we are stopping.
        }
    }

    private void Apply(IReadOnlyList<byte[]> parts, string who)
    {
        var command = ZmqCommand.Parse(parts, _options.ExtraExtensions, out var error);
        if (command is null)
        {
            Problem(who, $"{who}: {error}");
            return;
        }

        if (command.Kind == ZmqCommandKind.Destroy)
        {
            if (!_vassals.Remove(command.Name))
            {
                Problem(who, $"{who}: unknown instance \"{command.Name}\"");
                return;
            }
        }
        else
        {
            if (command.Socket is { } socket)
            {
                bool first;
                lock (_socketNoticed)
                {
                    first = _socketNoticed.Add(command.Name);
                }

                if (first)
                {
                    LogSocketIgnored(_logger, command.Name, socket);
                }
            }

            var path = command.Config is null ? Path.GetFullPath(command.Name, _options.WorkingDirectory) : null;
            var nowNs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
            _vassals.Touch(command.Name, command.Config, path, command.Uid, command.Gid, nowNs);
        }

        _onDirty?.Invoke();
    }

    private void Problem(string key, string message)
    {
        if (_problems.ShouldLog(key, _time.GetUtcNow() - DateTimeOffset.UnixEpoch, out var suppressed))
        {
            LogProblem(_logger, message, suppressed > 0 ? $" ({suppressed} more since the last line)" : string.Empty);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _onDirty = null;
        _stop.Cancel();
        _listener.Dispose();
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _connections, .. _accepting is null ? [] : new[] { _accepting }];
        }

        try
        {
            Task.WaitAll(pending, TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Each task handles its own failures; nothing is left to report.
        }

        if (_endpoint.SocketFile is { } file)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Someone else's now.
            }
        }

        _stop.Dispose();
    }
}
