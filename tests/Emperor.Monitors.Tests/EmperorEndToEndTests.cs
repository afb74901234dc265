using Emperor.Testing;

namespace Emperor.Monitors.Tests;

/// <summary>
/// The built emperor binary on <c>--emperor zmq://…</c> and <c>--emperor amqp://…</c>: a message spawns a vassal,
/// another reloads it in place (the reload byte; the protocol-speaking vassal re-executes keeping its pid), and a
/// destroy (zmq) or an empty body (amqp) stops it; a SIGTERM then ends the Emperor with nothing left.
/// </summary>
public sealed class EmperorEndToEndTests(RabbitBroker broker) : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private readonly LeakGuard _guard = new();
    private readonly TempDir _dir = new("monitors-e2e");
    private EmperorProcess? _emperor;

    /// <summary>A vassal that speaks the emperor protocol (byte 1 when up, re-exec in place on a reload).</summary>
    private static string Config(string tag) =>
        $"[uwsgi]\nenv = MONITOR_TAG={tag}\nunprivileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --protocol --send 1\n";

    [Fact(Timeout = 90_000)]
    public async Task Zmq_TouchSpawns_TouchAgainReloadsInPlace_DestroyStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Tcp();
        var endpoint = $"tcp://127.0.0.1:{port}";
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", "zmq://" + endpoint, "--emperor-freq", "1"], _dir.Path, ct);
        await emperor.WaitForLineAsync("PULL socket bound on 127.0.0.1:" + port, s_deadline, ct);

        await ZmqPusher.SendAsync(_guard, endpoint, ["touch", "z.ini", Config("one")]);
        var pid = await emperor.WaitForRunningPidAsync("z.ini", s_deadline, ct);
        await Wait.UntilAsync(() => emperor.LinesContaining("vassal z.ini has been spawned").Count >= 2, s_deadline, "z.ini to speak the protocol (byte 1)", ct);

        var mark = emperor.Mark();
        await ZmqPusher.SendAsync(_guard, endpoint, ["touch", "z.ini", Config("two")]);
        await emperor.WaitForLineAsync("testvassal: received byte 1", s_deadline, mark, ct);
        Assert.Equal(pid, await emperor.WaitForRunningPidAsync("z.ini", s_deadline, ct));

        await ZmqPusher.SendAsync(_guard, endpoint, ["destroy", "z.ini"]);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), s_deadline, "z.ini's process to exit", ct);
        await emperor.WaitForStatsAsync(s => s.Vassal("z.ini") is null, s_deadline, "z.ini to leave the stats", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    [Fact(Timeout = 90_000)]
    public async Task Amqp_MessageSpawns_AnotherReloadsInPlace_AnEmptyBodyStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", broker.Source, "--emperor-freq", "1"], _dir.Path, ct);
        await emperor.WaitForLineAsync("bound to the fanout exchange uwsgi.emperor", s_deadline, ct);

        await broker.PublishAsync("q.ini", Config("one"));
        var pid = await emperor.WaitForRunningPidAsync("q.ini", s_deadline, ct);
        await Wait.UntilAsync(() => emperor.LinesContaining("vassal q.ini has been spawned").Count >= 2, s_deadline, "q.ini to speak the protocol (byte 1)", ct);

        var mark = emperor.Mark();
        await broker.PublishAsync("q.ini", Config("two"));
        await emperor.WaitForLineAsync("testvassal: received byte 1", s_deadline, mark, ct);
        Assert.Equal(pid, await emperor.WaitForRunningPidAsync("q.ini", s_deadline, ct));

        await broker.PublishAsync("q.ini", string.Empty);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(pid), s_deadline, "q.ini's process to exit", ct);
        await emperor.WaitForStatsAsync(s => s.Vassal("q.ini") is null, s_deadline, "q.ini to leave the stats", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task AZmqEndpointThatCannotBeBound_StopsTheEmperorAtStart_WithOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var process = TestProcess.Start(_guard, TestPaths.EmperorBinary, ["--emperor", "zmq://tcp://999.1.1.1:5"], workingDirectory: _dir.Path);
        Assert.Equal(1, await process.WaitForExitAndOutputAsync(s_deadline, ct));
        Assert.Contains("--emperor zmq://tcp://999.1.1.1:5: \"999.1.1.1\" is neither an IP address", process.Text, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_emperor is not null)
            {
                await _emperor.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await _guard.DisposeAsync();
            }
            finally
            {
                _dir.Dispose();
            }
        }
    }
}
