using Emperor.Amqp;
using Emperor.Core.Monitoring;
using Emperor.Testing;
using Emperor.Unix.FileSystem;

namespace Emperor.Monitors.Tests;

/// <summary>
/// The amqp:// monitor in process against the run's RabbitMQ node: messages on the <c>uwsgi.emperor</c> fanout
/// exchange, published as a uWSGI operator publishes them, define, reload and remove vassals.
/// </summary>
public sealed class AmqpMonitorTests(RabbitBroker broker) : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private readonly TempDir _dir = new("amqp");
    private readonly ListLogger _log = new();

    [Fact(Timeout = 60_000)]
    public async Task RoutingKeyMessages_DefineRedefineAndStopInlineVassals()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(broker.Source);
        await broker.PublishAsync("a.ini", "[uwsgi]\nv = 1\n");
        var scan = await ScanUntilAsync(monitor, s => s.ContainsKey("a.ini"), "a.ini", ct);
        Assert.Equal(new SourceEntry("a.ini", scan["a.ini"].ModifiedNs, 0, 0, "[uwsgi]\nv = 1\n", null), scan["a.ini"]);

        await broker.PublishAsync("a.ini", "[uwsgi]\nv = 2\n");
        await ScanUntilAsync(monitor, s => s["a.ini"].InlineConfig == "[uwsgi]\nv = 2\n", "the new config", ct);

        await broker.PublishAsync("a.ini", string.Empty);
        await ScanUntilAsync(monitor, s => s.Count == 0, "an empty body to stop a.ini", ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task PathMessages_StartWhileTheFileExists_StopWhenItIsGone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(broker.Source);
        var file = Path.Combine(Directory.CreateDirectory(_dir.Combine("vassals")).FullName, "f.ini");
        File.WriteAllText(file, "[uwsgi]\n");

        // Relative to the monitor's directory, as uWSGI's Emperor resolves it against its cwd.
        await broker.PublishAsync(string.Empty, "vassals/f.ini");
        var scan = await ScanUntilAsync(monitor, s => s.ContainsKey("vassals/f.ini"), "vassals/f.ini", ct);
        Assert.Equal(file, scan["vassals/f.ini"].Path);
        Assert.Null(scan["vassals/f.ini"].InlineConfig);

        File.Delete(file);
        await broker.PublishAsync(string.Empty, "vassals/f.ini");
        await ScanUntilAsync(monitor, s => s.Count == 0, "the message about a missing file to stop it", ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task BadMessages_CostOneLine_AndTheGoodOnesAfterThemApply()
    {
        var ct = TestContext.Current.CancellationToken;
        using var monitor = Start(broker.Source);
        for (var i = 0; i < 50; i++)
        {
            await broker.PublishAsync("nonsense", "[uwsgi]\n");
        }

        await broker.PublishAsync("good.ini", "[uwsgi]\n");
        await ScanUntilAsync(monitor, s => s.ContainsKey("good.ini"), "the message after the bad ones", ct);
        Assert.Equal(1, _log.Count("ignoring a message: routing key \"nonsense\": not a vassal name"));
    }

    [Fact(Timeout = 60_000)]
    public async Task NoBroker_OrAnUnknownVhost_IsOneLine_AndTheMonitorKeepsTrying()
    {
        var ct = TestContext.Current.CancellationToken;
        var nobody = FreePort.Tcp();
        using (var monitor = Start($"amqp://127.0.0.1:{nobody}"))
        {
            Assert.NotNull(monitor.Scan());
            await Wait.UntilAsync(() => _log.Count("cannot reach the broker") == 1, s_deadline, "the outage line", ct);
        }

        using (var monitor = Start(broker.Source + "/no-such-vhost"))
        {
            await Wait.UntilAsync(() => _log.Count("cannot reach the broker") == 2, s_deadline, "the line about the vhost", ct);
        }

        Assert.DoesNotContain(_log.Lines, l => l.Contains("queue", StringComparison.Ordinal) && l.Contains("bound", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();

    private AmqpMonitor Start(string argument)
    {
        var source = AmqpSource.Parse(argument, out var error) ?? throw new InvalidOperationException(error);
        var monitor = new AmqpMonitor(source, new AmqpMonitorOptions { WorkingDirectory = _dir.Path, MinBackoff = TimeSpan.FromMilliseconds(100) }, UnixFileSystem.Instance, _log, TimeProvider.System);
        monitor.Start(() => { });
        return monitor;
    }

    private static async Task<Dictionary<string, SourceEntry>> ScanUntilAsync(AmqpMonitor monitor, Func<Dictionary<string, SourceEntry>, bool> condition, string what, CancellationToken ct)
    {
        Dictionary<string, SourceEntry>? scan = null;
        await Wait.UntilAsync(() => condition(scan = monitor.Scan()!), s_deadline, what, ct);
        return scan!;
    }
}
