using System.Globalization;
using Emperor.Testing;
using RabbitMQ.Client;

namespace Emperor.Monitors.Tests;

/// <summary>
/// A throw-away RabbitMQ node for the test run: Debian's rabbitmq-server, its own node name, Mnesia and log
/// directories under a temp dir, AMQP, distribution and epmd on free ports (its own epmd, our child, so nothing is left
/// behind and no other node is disturbed), guest allowed from loopback, and <c>channel_max = 0</c>: uWSGI's
/// emperor_amqp answers Connection.Tune with channel_max 0 ("no limit"), which RabbitMQ 3.10 refuses against its
/// default limit of 2047 (our Emperor negotiates properly and needs no such setting). Started once (a boot takes seconds) and
/// stopped at the end; its processes carry a <see cref="LeakGuard"/> token of their own, so the end of the run proves
/// none of them survived.
/// </summary>
public sealed class RabbitBroker : IAsyncLifetime
{
    private const string Sbin = "/usr/lib/rabbitmq/bin";
    private static readonly TimeSpan s_boot = TimeSpan.FromSeconds(90);

    private readonly LeakGuard _guard = new();
    private TempDir? _root;
    private TestProcess? _epmd;
    private TestProcess? _server;

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The <c>--emperor</c> value in uWSGI's syntax.</summary>
    public string Source => "amqp://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Sbin, "rabbitmq-server")))
        {
            throw new InvalidOperationException($"No {Sbin}/rabbitmq-server: install the Debian package rabbitmq-server (scripts/test does).");
        }

        _root = new TempDir("rabbit");
        Port = FreePort.Tcp();
        var dist = FreePort.Tcp();
        var epmdPort = FreePort.Tcp();
        File.WriteAllText(_root.Combine("rabbitmq.conf"), "loopback_users = none\nchannel_max = 0\nlisteners.tcp.default = 127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + "\n");
        File.WriteAllText(_root.Combine("enabled_plugins"), "[].\n");
        var epmd = epmdPort.ToString(CultureInfo.InvariantCulture);
        Dictionary<string, string> env = new(StringComparer.Ordinal)
        {
            ["HOME"] = _root.Path,
            ["ERL_EPMD_PORT"] = epmd,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODENAME"] = "emperor-test-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = dist.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = _root.Combine("mnesia"),
            ["RABBITMQ_LOG_BASE"] = _root.Combine("log"),
            ["RABBITMQ_CONFIG_FILE"] = _root.Combine("rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = _root.Combine("advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = _root.Combine("enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = _root.Combine("rabbit.pid"),
            ["RABBITMQ_LOGS"] = "-",
        };

        // Our own epmd in the foreground: a daemonised one would outlive the run.
        _epmd = TestProcess.Start(_guard, "epmd", ["-port", epmd, "-address", "127.0.0.1"], env, workingDirectory: _root.Path);
        await Wait.UntilAsync(() => Connects(epmdPort) || _epmd.HasExited, s_boot, "epmd to listen");
        if (_epmd.HasExited)
        {
            throw new InvalidOperationException("epmd exited at start:\n" + _epmd.Output);
        }

        _server = TestProcess.Start(_guard, Path.Combine(Sbin, "rabbitmq-server"), [], env, workingDirectory: _root.Path);
        await Wait.UntilAsync(() => _server.HasExited || CanOpen(), s_boot, $"RabbitMQ to accept AMQP connections on port {Port}");
        if (_server.HasExited)
        {
            throw new InvalidOperationException($"rabbitmq-server exited at start ({_server.ExitCode}):\n{_server.Output}");
        }
    }

    /// <summary>A client connection (the test's publisher).</summary>
    public Task<IConnection> ConnectAsync() =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = Port, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    /// <summary>Publishes one message to the <c>uwsgi.emperor</c> fanout exchange, as a uWSGI operator would.</summary>
    public async Task PublishAsync(string routingKey, string body)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("uwsgi.emperor", ExchangeType.Fanout, durable: false, autoDelete: false);
        await channel.BasicPublishAsync("uwsgi.emperor", routingKey, System.Text.Encoding.UTF8.GetBytes(body));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_server is { HasExited: false } server)
            {
                // SIGTERM to the Erlang VM is RabbitMQ's orderly shutdown; the script exits after it.
                foreach (var pid in ProcessTree.Descendants(server.Pid).Where(p => ProcessTree.TryReadStat(p)?.Command == "beam.smp"))
                {
                    ProcessTree.Kill(pid, 15);
                }

                await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }

            _epmd?.Kill();
        }
        catch (TimeoutException)
        {
            // The guard below kills whatever is left.
        }
        finally
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            if (_epmd is not null)
            {
                await _epmd.DisposeAsync();
            }

            try
            {
                await _guard.DisposeAsync();
            }
            finally
            {
                _root?.Dispose();
            }
        }
    }

    private bool CanOpen()
    {
        try
        {
            using var connection = ConnectAsync().GetAwaiter().GetResult();
            return connection.IsOpen;
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            return false;
        }
    }

    private static bool Connects(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
