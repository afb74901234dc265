namespace Emperor.Core.Vassals;

/// <summary>What the shell must do for one vassal. Effects are data so that tests need no process.</summary>
internal abstract record VassalEffect
{
    /// <summary>Start a process for the vassal's current source.</summary>
    public sealed record Spawn : VassalEffect;

    /// <summary>Write one protocol byte on the link.</summary>
    public sealed record SendMessage(byte Message) : VassalEffect;

    /// <summary>Send a signal to the vassal's whole process group.</summary>
    public sealed record SignalGroup(int Signal) : VassalEffect;

    /// <summary>Arm the vassal's single timer; a later timer replaces an earlier one (by generation).</summary>
    public sealed record StartTimer(TimeSpan Delay, int Generation) : VassalEffect;

    /// <summary>Check whether the vassal consumed the reload byte; answer with <see cref="VassalEvent.ReloadIgnored"/> if not.</summary>
    public sealed record VerifyReloadConsumed : VassalEffect;

    /// <summary>Arm (or re-arm) the heartbeat deadline.</summary>
    public sealed record StartHeartbeatTimer(TimeSpan Delay, int Generation) : VassalEffect;

    /// <summary>Declare the process loyal after it has run this long (<c>--emperor-loyal-after</c>).</summary>
    public sealed record StartLoyaltyTimer(TimeSpan Delay, int SpawnNumber) : VassalEffect;

    /// <summary>Forget the record.</summary>
    public sealed record Delete : VassalEffect;

    /// <summary>A decision worth a log line (and the stats "reason").</summary>
    public sealed record Log(VassalLogKind Kind, string Message) : VassalEffect;
}
