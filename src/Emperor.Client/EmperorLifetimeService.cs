using Microsoft.Extensions.Hosting;

namespace Emperor.Client;

/// <summary>
/// Ties sd_notify to the host's lifetime: READY=1 once ApplicationStarted fires, WATCHDOG=1 every
/// WATCHDOG_USEC/2 while running, STOPPING=1 when ApplicationStopping fires. SIGTERM is the host's own
/// graceful stop (ConsoleLifetime), bounded by HostOptions.ShutdownTimeout.
/// </summary>
internal sealed class EmperorLifetimeService(EmperorNotifier notifier, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _watchdog = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = lifetime.ApplicationStarted.Register(() =>
        {
            notifier.Ready();
            if (notifier.WatchdogInterval is { } interval)
            {
                _watchdog = WatchdogAsync(interval / 2, _stop.Token);
            }
        });
        _ = lifetime.ApplicationStopping.Register(() =>
        {
            notifier.Stopping();
            _stop.Cancel();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _watchdog.ConfigureAwait(false);
    }

    private async Task WatchdogAsync(TimeSpan period, CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(period);
        notifier.Watchdog();
        try
        {
            while (await timer.WaitForNextTickAsync(cancel).ConfigureAwait(false))
            {
                notifier.Watchdog();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _stop.Dispose();
}
