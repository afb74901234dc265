using System.Runtime.InteropServices;
using Emperor.Core;
using Emperor.Hosting.Metrics;

namespace Emperor.Hosting;

/// <summary>Lifetime: the servers, signal registrations and links that live as long as the Emperor.</summary>
internal sealed partial class EmperorService
{
    /// <summary>The signals the Emperor acts on (spec §6); the loop handles them as events.</summary>
    private static readonly int[] s_handledSignals =
        [Signals.Sigint, Signals.Sigterm, Signals.Sigquit, Signals.Sighup, Signals.Sigusr1, Signals.Sigurg, Signals.Sigwinch];

    private void Prepare(bool handleSignals)
    {
        if (handleSignals)
        {
            foreach (var sig in s_handledSignals)
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
            _commands = new CommandServer(commandPath, ExecuteCommandAsync, _logger, logs: _logs);
            _commands.Start();
        }

        if (_settings.DashboardAddress is { } dashboardAddress)
        {
            _dashboard = Dashboard.DashboardStart.Open(dashboardAddress, _settings.DashboardAuthFile, RequestStatsAsync, ExecuteCommandAsync, _logs, _logger);
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

    public async ValueTask DisposeAsync()
    {
        _lagTimer?.Dispose();
        if (_commands is not null)
        {
            await _commands.DisposeAsync();
            _commands = null;
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
            _dashboard = null;
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
            Post(new EmperorEvent.Signal(Signals.Sigterm));
            await _exit.Task.WaitAsync(_settings.ReloadMercy + TimeSpan.FromSeconds(10));
        }

        _events.Writer.TryComplete();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        _held?.Dispose();

        foreach (var m in _monitors)
        {
            m.Dispose();
        }

        _notify?.Dispose();
        _parent?.Dispose();
        _systemd.Dispose();
    }
}
