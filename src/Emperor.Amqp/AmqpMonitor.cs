using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Emperor.Amqp;

/// <summary>
/// <c>amqp://…</c> (spec §2.7, uWSGI's emperor_amqp): one connection to the broker, an anonymous auto-delete queue
/// bound to the fanout exchange <c>uwsgi.emperor</c> (declared as uWSGI declares it, so both can share a broker), and
/// each message applied to a <see cref="PushedVassals"/> set that <see cref="Scan"/> returns.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Threads: a background task owns the connection and reconnects with a backoff; RabbitMQ.Client delivers the
/// messages one at a time on its dispatcher, each applied then acknowledged, then the loop asked for a scan.</item>
/// <item>While the broker is away the vassals stay as they are (the set is kept); messages published meanwhile are
/// lost, as with uWSGI, because the queue is anonymous and goes with the connection.</item>
/// <item>A file message takes the file's owner for tyrant mode (uWSGI uses 0, so tyrant mode refuses every amqp
/// vassal there); an inline config has no owner, so tyrant mode refuses it, as uWSGI does.</item>
/// </list>
/// </remarks>
internal sealed partial class AmqpMonitor : IImperialMonitor
{
    private readonly AmqpSource _source;
    private readonly AmqpMonitorOptions _options;
    private readonly IFileSystem _fs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PushedVassals _vassals = new();
    private readonly ProblemLimiter _problems;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Action? _onDirty;
    private Task? _task;
    private int _disposed;
    private long? _outageSince;
    private bool _everConnected;

    public AmqpMonitor(AmqpSource source, AmqpMonitorOptions options, IFileSystem fs, ILogger logger, TimeProvider time)
    {
        _source = source;
        _options = options;
        _fs = fs;
        _logger = logger;
        _time = time;
        _problems = new ProblemLimiter(options.ProblemLogPeriod);
    }

    public string Argument => _source.Argument;

    public string WorkingDirectory => _options.WorkingDirectory;

    public void Start(Action onDirty)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_task is not null)
        {
            return;
        }

        _onDirty = onDirty;
        _task = Task.Run(RunAsync);
        _ = _firstAttempt.Task.Wait(_options.FirstConnectWait);
    }

    public Dictionary<string, SourceEntry>? Scan() => _vassals.Snapshot();

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var backoff = _options.MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SessionAsync(() => backoff = _options.MinBackoff, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong (refused, a bad login or vhost, the exchange declared otherwise, a reset), the
                // monitor must not die: keep every vassal, say so once, retry.
                Unavailable(e);
            }

            try
            {
                await Task.Delay(backoff, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private async Task SessionAsync(Action connected, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = _source.Host,
            Port = _source.Port,
            UserName = _source.User,
            Password = _source.Password,
            VirtualHost = _source.VirtualHost,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(30),
            ClientProvidedName = "emperor " + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e.ReplyText);
            return Task.CompletedTask;
        };
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        channel.ChannelShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e.ReplyText);
            return Task.CompletedTask;
        };

        // As uWSGI declares them: a non-durable fanout exchange, a server-named auto-delete queue, an empty binding key.
        await channel.ExchangeDeclareAsync(AmqpSource.Exchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: false, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(queue.QueueName, AmqpSource.Exchange, string.Empty, cancellationToken: ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            try
            {
                Apply(delivery.RoutingKey, delivery.Body.Span);
            }
            catch (Exception e)
            {
                // A bug here must not cost the subscription: say it, acknowledge, go on.
                LogApplyFailed(_logger, e.Message);
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            _onDirty?.Invoke();
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: false, consumer, ct);
        connected();
        if (_outageSince is { } since)
        {
            LogRecovered(_logger, Argument, _time.GetElapsedTime(since).TotalSeconds, _vassals.Count);
            _outageSince = null;
        }
        else if (!_everConnected)
        {
            LogConnected(_logger, Argument, queue.QueueName, AmqpSource.Exchange);
        }

        _everConnected = true;
        _firstAttempt.TrySetResult();
        var reason = await closed.Task.WaitAsync(ct);
        throw new IOException("the broker closed the connection: " + reason);
    }

    private void Apply(string? routingKey, ReadOnlySpan<byte> body)
    {
        var message = AmqpMessage.Parse(routingKey, body, _options.ExtraExtensions, _options.MaxConfigBytes, out var error);
        if (message is null)
        {
            if (_problems.ShouldLog("message", _time.GetUtcNow() - DateTimeOffset.UnixEpoch, out var suppressed))
            {
                LogBadMessage(_logger, error!, suppressed > 0 ? $" ({suppressed} more since the last line)" : string.Empty);
            }

            return;
        }

        LogMessage(_logger, message.Kind switch
        {
            AmqpMessageKind.Config => "config for",
            AmqpMessageKind.Stop => "stop",
            _ => "file",
        }, message.Name);
        var nowNs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        switch (message.Kind)
        {
            case AmqpMessageKind.Config:
                _vassals.Touch(message.Name, message.Config, null, 0, 0, nowNs);
                break;
            case AmqpMessageKind.Stop:
                _vassals.Remove(message.Name);
                break;
            case AmqpMessageKind.File when message.IsUrl:
                _vassals.Touch(message.Name, null, null, 0, 0, nowNs);
                break;
            case AmqpMessageKind.File:
                var path = Path.GetFullPath(message.Name, _options.WorkingDirectory);
                if (_fs.TryStat(path, follow: true, out var st, out _) && st.Kind == FileKind.Regular)
                {
                    _vassals.Touch(message.Name, null, path, st.Uid, st.Gid, nowNs);
                }
                else
                {
                    LogNoFile(_logger, message.Name, path);
                    _vassals.Remove(message.Name);
                }

                break;
        }
    }

    private void Unavailable(Exception e)
    {
        _firstAttempt.TrySetResult();
        if (_outageSince is null)
        {
            _outageSince = _time.GetTimestamp();
            LogUnavailable(_logger, Argument, Describe(e), _options.MinBackoff.TotalSeconds, _options.MaxBackoff.TotalSeconds);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        BrokerUnreachableException { InnerException: { } inner } => inner.InnerException?.Message ?? inner.Message,
        OperationInterruptedException { ShutdownReason: { } reason } => $"{reason.ReplyCode} {reason.ReplyText}",
        _ => e.Message,
    };

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _onDirty = null;
        _stop.Cancel();
        var finished = true;
        try
        {
            finished = _task?.Wait(TimeSpan.FromSeconds(5)) ?? true;
        }
        catch (AggregateException)
        {
            // RunAsync handles its own failures.
        }

        if (finished)
        {
            _stop.Dispose();
        }
    }
}
