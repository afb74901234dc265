namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// The Emperor's black-box tests run one at a time, and alone: they start real process trees, time what the
/// Emperor does (throttle spreads, stop tolerances, stats latency) and check process-wide state (zombie
/// children of this process), all of which tests running alongside would disturb on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmperorBlackBox
{
    public const string Name = "Emperor black-box";
}
