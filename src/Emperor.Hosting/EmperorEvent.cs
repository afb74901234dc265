namespace Emperor.Hosting;

/// <summary>Everything that reaches the Emperor's event loop.</summary>
internal abstract record EmperorEvent
{
    public sealed record MonitorDirty(int Monitor) : EmperorEvent;

    public sealed record RescanDue(int Monitor) : EmperorEvent;

    public sealed record PeriodicRescan : EmperorEvent;

    public sealed record ProcessExited(int Pid, Core.Vassals.VassalExit Exit) : EmperorEvent;

    public sealed record LinkByte(string Name, int Pid, byte Message) : EmperorEvent;

    public sealed record LinkEof(string Name, int Pid) : EmperorEvent;

    public sealed record VassalTimer(string Name, int Generation) : EmperorEvent;

    public sealed record Signal(int Number) : EmperorEvent;

    public sealed record HeartbeatDeadline(string Name, int Generation) : EmperorEvent;

    public sealed record LoyaltyDue(string Name, int Spawn) : EmperorEvent;

    public sealed record ThrottleDue : EmperorEvent;

    /// <summary>The next slice of a spawn burst (posted behind whatever else is waiting).</summary>
    public sealed record SpawnSliceDue : EmperorEvent;

    /// <summary>An sd_notify datagram from a process in a vassal's session.</summary>
    public sealed record Notify(int SenderPid, int SessionId, string Message) : EmperorEvent;

    public sealed record MercyExpired : EmperorEvent;

    public sealed record FinalDeadline : EmperorEvent;

    public sealed record Command(Core.Control.ControlCommand Request, TaskCompletionSource<string> Reply) : EmperorEvent;

    /// <summary>Posted every second with its posting time; the delay until it is handled is the loop's lag.</summary>
    public sealed record LagProbe(long PostedAt) : EmperorEvent;

    public sealed record StatsRequest(TaskCompletionSource<Core.Stats.EmperorStats> Reply) : EmperorEvent;

    /// <summary>A connection waits on the on-demand socket of a sleeping vassal.</summary>
    public sealed record OnDemandWake(string Name) : EmperorEvent;

    /// <summary>The on-demand socket name of a vassal, as <c>--emperor-on-demand-exec</c> answered (null: none).</summary>
    public sealed record OnDemandResolved(string Name, string? Address) : EmperorEvent;

    /// <summary>The new instance of an overlapping reload did not become ready in time.</summary>
    public sealed record OverlapDeadline(string Name, int Pid) : EmperorEvent;

    /// <summary>The ready-check of an overlapping reload answered for the new instance.</summary>
    public sealed record OverlapReady(string Name, int Pid) : EmperorEvent;

    /// <summary>Try again to remove the cgroups of vassals that are gone (their killed processes were not reaped yet).</summary>
    public sealed record CgroupSweep : EmperorEvent;

    /// <summary>An old instance swapped out by an overlapping reload had its mercy.</summary>
    public sealed record RetireDeadline(string Name, int Pid) : EmperorEvent;

    /// <summary>The once-a-second turn that re-announces the subscriptions that are due (issue #14 §3).</summary>
    public sealed record AnnounceDue : EmperorEvent;
}
