namespace Emperor.Amqp;

/// <summary>How an amqp:// monitor behaves; everything but the broker comes from the Emperor's settings.</summary>
internal sealed record AmqpMonitorOptions
{
    /// <summary>The cwd of this monitor's vassals, and what a relative config path in a message is relative to.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary><c>--emperor-extra-extension</c> suffixes (spec §2.2).</summary>
    public IReadOnlyList<string> ExtraExtensions { get; init; } = [];

    /// <summary>Configs above this are refused (as for pg://: 1 MiB).</summary>
    public int MaxConfigBytes { get; init; } = 1024 * 1024;

    /// <summary>How long <c>Start</c> waits for the first subscription, so that the broker is bound before the Emperor says it runs.</summary>
    public TimeSpan FirstConnectWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Reconnection backoff: from this, doubling...</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>...up to this.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bad messages are logged at most once per this period.</summary>
    public TimeSpan ProblemLogPeriod { get; init; } = TimeSpan.FromMinutes(1);
}
