using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Emperor.Client;

public static class EmperorServiceCollectionExtensions
{
    /// <summary>
    /// Sends READY=1 / WATCHDOG=1 / STOPPING=1 to NOTIFY_SOCKET over the host's lifetime; a no-op without it.
    /// The drain after SIGTERM is the host's own graceful stop, bounded by HostOptions.ShutdownTimeout.
    /// </summary>
    public static IServiceCollection AddEmperor(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<EmperorNotifier>();
        _ = services.AddHostedService<EmperorLifetimeService>();
        return services;
    }
}
