namespace Emperor.Core.Vassals;

/// <summary>Emperor settings the lifecycle depends on.</summary>
/// <param name="StopTolerance">How long a stopped vassal may live before SIGKILL (<c>--emperor-curse-tolerance</c>, 30 s).</param>
/// <param name="GracefulShutdown">Stop with byte 2 instead of 0 (<c>--emperor-graceful-shutdown</c>).</param>
/// <param name="ReloadAckTimeout">How long a vassal has to read a reload byte before it is restarted instead.</param>
/// <param name="RequiredHeartbeat">Silence allowed after a first heartbeat (<c>--emperor-required-heartbeat</c>, 30 s).</param>
/// <param name="LoyalAfter">Uptime after which a vassal counts as loyal (<c>--emperor-loyal-after</c>); zero disables.</param>
/// <remarks>A vassal that ignores SIGTERM (SIG_IGN inherited through exec, as uWSGI's binary patch leaves it)
/// is given <see cref="IgnoredSigtermGrace"/> to act on the stop byte before SIGKILL, instead of the whole tolerance.</remarks>
internal sealed record VassalPolicy(
    TimeSpan StopTolerance,
    bool GracefulShutdown,
    TimeSpan ReloadAckTimeout,
    TimeSpan RequiredHeartbeat,
    TimeSpan LoyalAfter)
{
    public TimeSpan IgnoredSigtermGrace { get; init; } = TimeSpan.FromSeconds(1);

    public static VassalPolicy Default { get; } =
        new(TimeSpan.FromSeconds(30), false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
}
