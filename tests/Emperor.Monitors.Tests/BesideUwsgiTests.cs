using Emperor.Testing;

namespace Emperor.Monitors.Tests;

/// <summary>
/// uWSGI's own Emperor with its emperor_amqp / emperor_zeromq plugin (Debian's uwsgi-core) and ours, side by side,
/// driven by the same messages: each Emperor runs in its own directory holding an <c>app.ini</c> (a real uWSGI WSGI
/// vassal on its own port), so one message naming <c>app.ini</c> must start a vassal under both, and one stop message
/// must stop both.
/// </summary>
public sealed class BesideUwsgiTests(RabbitBroker broker) : IAsyncDisposable
{
    private const string Uwsgi = "/usr/bin/uwsgi-core";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);
    private readonly LeakGuard _guard = new();
    private readonly TempDir _dir = new("beside");
    private readonly List<IAsyncDisposable> _processes = [];

    [Fact(Timeout = 120_000)]
    public async Task Amqp_TheSamePathMessages_StartAndStopAVassalUnderBothEmperors()
    {
        var ct = TestContext.Current.CancellationToken;
        var (theirs, ours) = Prepare(out var theirPort, out var ourPort);
        var uwsgi = StartUwsgiEmperor(theirs, "emperor_amqp", broker.Source);
        var emperor = await StartOurEmperorAsync(ours, broker.Source);
        await emperor.WaitForLineAsync("bound to the fanout exchange uwsgi.emperor", s_deadline, ct);
        await Wait.UntilAsync(() => uwsgi.Text.Contains("AMQP subscription done", StringComparison.Ordinal), s_deadline, "uWSGI's Emperor to bind its queue", ct);

        // No routing key, the body a path relative to each Emperor's directory (uWSGI's inline mode frees the config it keeps).
        await broker.PublishAsync(string.Empty, "app.ini");
        await BothAsync(() => Http.Get(theirPort) is not null && Http.Get(ourPort) is not null, "both vassals to serve", uwsgi, emperor, ct);
        Assert.Equal("hello from theirs", Http.Get(theirPort));
        Assert.Equal("hello from ours", Http.Get(ourPort));

        File.Delete(Path.Combine(theirs, "app.ini"));
        File.Delete(Path.Combine(ours, "app.ini"));
        await broker.PublishAsync(string.Empty, "app.ini");
        await BothAsync(() => Http.Get(theirPort) is null && Http.Get(ourPort) is null, "both vassals to stop", uwsgi, emperor, ct);
        await emperor.WaitForStatsAsync(s => s.Vassal("app.ini") is null, s_deadline, "app.ini to leave our stats", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
        await StopAsync(uwsgi);
    }

    [Fact(Timeout = 120_000)]
    public async Task Zmq_TheSameMessages_StartAndStopAVassalUnderBothEmperors()
    {
        var ct = TestContext.Current.CancellationToken;
        var (theirs, ours) = Prepare(out var theirPort, out var ourPort);
        var theirEndpoint = $"tcp://127.0.0.1:{FreePort.Tcp()}";
        var ourEndpoint = $"tcp://127.0.0.1:{FreePort.Tcp()}";
        var uwsgi = StartUwsgiEmperor(theirs, "emperor_zeromq", "zmq://" + theirEndpoint);
        var emperor = await StartOurEmperorAsync(ours, "zmq://" + ourEndpoint);
        await emperor.WaitForLineAsync("PULL socket bound", s_deadline, ct);
        await Wait.UntilAsync(() => uwsgi.Text.Contains("*** starting uWSGI Emperor ***", StringComparison.Ordinal), s_deadline, "uWSGI's Emperor to start", ct);

        // Each message goes to both: one PUSH per Emperor (a PUSH connected to both would deal them out in turn).
        string[][] start = [["touch", "app.ini"]];
        await ZmqPusher.SendAsync(_guard, theirEndpoint, start);
        await ZmqPusher.SendAsync(_guard, ourEndpoint, start);
        await BothAsync(() => Http.Get(theirPort) is not null && Http.Get(ourPort) is not null, "both vassals to serve", uwsgi, emperor, ct);
        Assert.Equal("hello from theirs", Http.Get(theirPort));
        Assert.Equal("hello from ours", Http.Get(ourPort));

        string[][] stop = [["destroy", "app.ini"]];
        await ZmqPusher.SendAsync(_guard, theirEndpoint, stop);
        await ZmqPusher.SendAsync(_guard, ourEndpoint, stop);
        await BothAsync(() => Http.Get(theirPort) is null && Http.Get(ourPort) is null, "both vassals to stop", uwsgi, emperor, ct);
        await emperor.WaitForStatsAsync(s => s.Vassal("app.ini") is null, s_deadline, "app.ini to leave our stats", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
        await StopAsync(uwsgi);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var process in _processes)
            {
                await process.DisposeAsync();
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

    private (string Theirs, string Ours) Prepare(out int theirPort, out int ourPort)
    {
        Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
        var app = _dir.WriteFile("app.py", """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('hello from %s' % os.environ['WHOSE']).encode()]
            """);
        theirPort = FreePort.Tcp();
        ourPort = FreePort.Tcp();
        var theirs = Directory.CreateDirectory(_dir.Combine("theirs")).FullName;
        var ours = Directory.CreateDirectory(_dir.Combine("ours")).FullName;
        File.WriteAllText(Path.Combine(theirs, "app.ini"), Vassal("theirs", theirPort, app));
        File.WriteAllText(Path.Combine(ours, "app.ini"), Vassal("ours", ourPort, app));
        return (theirs, ours);
    }

    private static string Vassal(string whose, int port, string app) => $"""
        [uwsgi]
        env = WHOSE={whose}
        plugin = python3
        http-socket = 127.0.0.1:{port}
        wsgi-file = {app}
        master = true
        processes = 1
        """;

    /// <summary>Waits for <paramref name="condition"/>; on a timeout says what each Emperor had said by then.</summary>
    private static async Task BothAsync(Func<bool> condition, string what, TestProcess uwsgi, EmperorProcess emperor, CancellationToken ct)
    {
        try
        {
            await Wait.UntilAsync(condition, s_deadline, what, ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- uWSGI's Emperor:\n{uwsgi.Text}\n--- ours:{emperor.Tail()}", e);
        }
    }

    /// <summary>SIGINT: uWSGI's Emperor buries its vassals and exits; then nothing of this test may be left.</summary>
    private async Task StopAsync(TestProcess uwsgi)
    {
        uwsgi.Signal(Signals.Sigint);
        await uwsgi.WaitForExitAsync(s_deadline);
        await Wait.UntilAsync(() => _guard.FindTagged().Count == 0, s_deadline, "every process of the test to exit");
    }

    private TestProcess StartUwsgiEmperor(string directory, string plugin, string source)
    {
        var process = TestProcess.Start(_guard, Uwsgi, ["--plugin", plugin, "--emperor", source, "--emperor-freq", "1", "--master"], workingDirectory: directory);
        _processes.Add(process);
        return process;
    }

    private async Task<EmperorProcess> StartOurEmperorAsync(string directory, string source)
    {
        var emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", source, "--emperor-freq", "1", "--binary-path", Uwsgi], directory, CancellationToken.None);
        _processes.Add(emperor);
        return emperor;
    }
}
