namespace Emperor.Zmq;

/// <summary>How a zmq:// monitor behaves; everything but the endpoint comes from the Emperor's settings.</summary>
internal sealed record ZmqMonitorOptions
{
    /// <summary>The cwd of this monitor's vassals, and where a touch without config finds its file (spec §2.8, §10.4).</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary><c>--emperor-extra-extension</c> suffixes (spec §2.2).</summary>
    public IReadOnlyList<string> ExtraExtensions { get; init; } = [];

    /// <summary>A message above this (all parts) closes its connection: 1 MiB of config plus room for the rest.</summary>
    public int MaxMessageBytes { get; init; } = (1024 * 1024) + (64 * 1024);

    /// <summary>Bad input from one peer is logged at most once per this period.</summary>
    public TimeSpan ProblemLogPeriod { get; init; } = TimeSpan.FromMinutes(1);
}
