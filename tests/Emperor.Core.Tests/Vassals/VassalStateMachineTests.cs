using Emperor.Core.Policies;
using Emperor.Core.Protocol;
using Emperor.Core.Tests.Support;
using Emperor.Core.Vassals;
using static Emperor.Core.Vassals.VassalEffect;

namespace Emperor.Core.Tests.Vassals;

public sealed class VassalStateMachineTests
{
    private static readonly VassalPolicy s_policy = new(
        StopTolerance: TimeSpan.FromSeconds(30),
        GracefulShutdown: false,
        ReloadAckTimeout: TimeSpan.FromSeconds(1),
        RequiredHeartbeat: TimeSpan.FromSeconds(5),
        LoyalAfter: TimeSpan.FromSeconds(60));

    private readonly Blacklist _blacklist = new(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), enabled: true);

    private (VassalState S, List<VassalEffect> Fx) Step(VassalState s, VassalEvent e, VassalPolicy? policy = null) =>
        VassalStateMachine.Apply(s, e, policy ?? s_policy, _blacklist);

    private VassalState Running(bool speaks = false, int pid = 100)
    {
        var (s, fx) = VassalStateMachine.Start("app.ini");
        Assert.IsType<Spawn>(Assert.Single(fx));
        (s, _) = Step(s, new VassalEvent.Spawned(pid));
        if (speaks)
        {
            (s, _) = Step(s, new VassalEvent.LinkMessage(EmperorMessage.Ready));
        }

        return s;
    }

    private static T One<T>(List<VassalEffect> fx)
        where T : VassalEffect => Assert.Single(fx.OfType<T>());

    [Fact]
    public void Spawned_EntersRunning_LogsUwsgiPhrase_ArmsLoyaltyTimer()
    {
        var (s, _) = VassalStateMachine.Start("app.ini");
        var (next, fx) = Step(s, new VassalEvent.Spawned(42));
        Assert.Equal(VassalPhase.Running, next.Phase);
        Assert.Equal(42, next.Pid);
        Assert.Contains(fx, e => e is Log { Message: "vassal app.ini has been spawned (pid: 42)" });
        Assert.Equal(new StartLoyaltyTimer(TimeSpan.FromSeconds(60), 1), One<StartLoyaltyTimer>(fx));
    }

    [Fact]
    public void ConfigChanged_ProtocolVassal_SendsReloadByteOnly()
    {
        var (s, fx) = Step(Running(speaks: true), new VassalEvent.ConfigChanged("touched"));
        Assert.Equal(VassalPhase.Running, s.Phase);
        Assert.Equal(EmperorMessage.Reload, One<SendMessage>(fx).Message);
        Assert.Empty(fx.OfType<SignalGroup>());
        Assert.Empty(fx.OfType<StartTimer>());
        Assert.Equal(1, s.Respawns);
    }

    [Fact]
    public void ConfigChanged_ForeignVassalThatIgnoresTheByte_IsRestarted()
    {
        var (s, fx) = Step(Running(), new VassalEvent.ConfigChanged("touched"));
        Assert.Equal(EmperorMessage.Reload, One<SendMessage>(fx).Message);
        var timer = One<StartTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(1), timer.Delay);
        Assert.True(s.ReloadPending);

        (s, fx) = Step(s, new VassalEvent.TimerFired(timer.Generation));
        One<VerifyReloadConsumed>(fx);

        (s, fx) = Step(s, new VassalEvent.ReloadIgnored());
        Assert.Equal(VassalPhase.Restarting, s.Phase);
        Assert.Equal(15, One<SignalGroup>(fx).Signal);

        (s, fx) = Step(s, new VassalEvent.Exited(100, new VassalExit(null, 15)));
        One<Spawn>(fx);
        Assert.Equal(VassalPhase.New, s.Phase);
        Assert.Null(_blacklist.Get("app.ini"));
    }

    [Fact]
    public void ConfigChanged_ForeignVassalThatReadsTheByte_KeepsRunning()
    {
        var (s, fx) = Step(Running(), new VassalEvent.ConfigChanged("touched"));
        (s, fx) = Step(s, new VassalEvent.TimerFired(One<StartTimer>(fx).Generation));
        (s, fx) = Step(s, new VassalEvent.ReloadAcknowledged());
        Assert.Equal(VassalPhase.Running, s.Phase);
        Assert.False(s.ReloadPending);
        Assert.Empty(fx);
    }

    [Fact]
    public void Exited_WhileReloadPending_RespawnsAtOnceWithoutBlacklisting()
    {
        var (s, _) = Step(Running(), new VassalEvent.ConfigChanged("touched"));
        var (next, fx) = Step(s, new VassalEvent.Exited(100, new VassalExit(0, null)));
        One<Spawn>(fx);
        Assert.Equal(VassalPhase.New, next.Phase);
        Assert.Null(_blacklist.Get("app.ini"));
    }

    [Fact]
    public void Removed_ForeignVassal_GetsStopByteAndSigterm_ThenSigkillAfterTolerance()
    {
        var (s, fx) = Step(Running(), new VassalEvent.Removed("file gone"));
        Assert.Equal(VassalPhase.Stopping, s.Phase);
        Assert.Equal(EmperorMessage.Stop, One<SendMessage>(fx).Message);
        Assert.Equal(15, One<SignalGroup>(fx).Signal);
        var timer = One<StartTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(30), timer.Delay);
        Assert.Contains(fx, e => e is Log { Message: "stop the uwsgi instance app.ini (pid: 100): file gone" });

        (s, fx) = Step(s, new VassalEvent.TimerFired(timer.Generation));
        Assert.Equal(9, One<SignalGroup>(fx).Signal);
        Assert.Contains(fx, e => e is Log l && l.Message.StartsWith("NO MERCY for vassal app.ini", StringComparison.Ordinal));

        (s, fx) = Step(s, new VassalEvent.Exited(100, new VassalExit(null, 9)));
        One<Delete>(fx);
        Assert.Equal(VassalPhase.Deleted, s.Phase);
    }

    [Fact]
    public void Removed_ProtocolVassalWithGracefulShutdown_GetsByteTwoAndNoSignal()
    {
        var graceful = s_policy with { GracefulShutdown = true };
        var (_, fx) = Step(Running(speaks: true), new VassalEvent.Removed("file gone"), graceful);
        Assert.Equal(EmperorMessage.GracefulStop, One<SendMessage>(fx).Message);
        Assert.Empty(fx.OfType<SignalGroup>());
    }

    [Fact]
    public void Exited_WithExileCode_IsNotRespawnedUntilConfigChanges()
    {
        var (s, fx) = Step(Running(), new VassalEvent.Exited(100, new VassalExit(26, null)));
        Assert.Equal(VassalPhase.Exiled, s.Phase);
        Assert.Empty(fx.OfType<Spawn>());
        Assert.Empty(fx.OfType<StartTimer>());

        (s, fx) = Step(s, new VassalEvent.ConfigChanged("touched"));
        One<Spawn>(fx);
        Assert.Equal(VassalPhase.New, s.Phase);
    }

    [Fact]
    public void Exited_Unloyal_WaitsTheBlacklistDelay_ThenSpawns()
    {
        var (s, fx) = Step(Running(), new VassalEvent.Exited(100, new VassalExit(1, null)));
        Assert.Equal(VassalPhase.Waiting, s.Phase);
        var timer = One<StartTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(1), timer.Delay);
        Assert.Empty(fx.OfType<Spawn>());

        // A stale timer changes nothing.
        var (same, none) = Step(s, new VassalEvent.TimerFired(timer.Generation - 1));
        Assert.Same(s, same);
        Assert.Empty(none);

        (s, fx) = Step(s, new VassalEvent.TimerFired(timer.Generation));
        One<Spawn>(fx);
        (s, _) = Step(s, new VassalEvent.Spawned(101));
        Assert.Equal(1, s.Restarts);
    }

    [Fact]
    public void Exited_StaleProcess_IsIgnored()
    {
        var s = Running(pid: 100);
        var (next, fx) = Step(s, new VassalEvent.Exited(99, new VassalExit(1, null)));
        Assert.Same(s, next);
        Assert.Empty(fx);
    }

    [Fact]
    public void LoyalByte_MakesLoyalAndClearsTheBlacklist()
    {
        var (s, fx) = Step(Running(), new VassalEvent.Exited(100, new VassalExit(1, null)));
        (s, fx) = Step(s, new VassalEvent.TimerFired(One<StartTimer>(fx).Generation));
        (s, _) = Step(s, new VassalEvent.Spawned(101));
        Assert.NotNull(_blacklist.Get("app.ini"));

        (s, fx) = Step(s, new VassalEvent.LinkMessage(EmperorMessage.Loyal));
        Assert.True(s.Loyal);
        Assert.True(s.SpeaksProtocol);
        Assert.Null(_blacklist.Get("app.ini"));
        Assert.Contains(fx, e => e is Log { Message: "vassal app.ini is now loyal" });

        (_, fx) = Step(s, new VassalEvent.Exited(101, new VassalExit(1, null)));
        One<Spawn>(fx);
    }

    [Fact]
    public void LinkClosed_ForeignVassal_MeansNothing_ProtocolVassal_IsCursed()
    {
        var (foreign, fx) = Step(Running(), new VassalEvent.LinkClosed());
        Assert.False(foreign.Cursed);
        Assert.Empty(fx);

        var (cursed, fx2) = Step(Running(speaks: true), new VassalEvent.LinkClosed());
        Assert.True(cursed.Cursed);
        var timer = One<StartTimer>(fx2);
        var (_, fx3) = Step(cursed, new VassalEvent.TimerFired(timer.Generation));
        Assert.Equal(9, One<SignalGroup>(fx3).Signal);
    }

    [Fact]
    public void HeartbeatMissed_ProtocolVassal_ReloadsFirst_ThenKillsTheGroup()
    {
        var (s, fx) = Step(Running(speaks: true), new VassalEvent.LinkMessage(EmperorMessage.Heartbeat));
        var hb = One<StartHeartbeatTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(5), hb.Delay);

        (s, fx) = Step(s, new VassalEvent.HeartbeatMissed(hb.Generation));
        Assert.Equal(EmperorMessage.Reload, One<SendMessage>(fx).Message);
        Assert.True(s.HeartbeatSuspect);
        var second = One<StartHeartbeatTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(2.5), second.Delay);

        (s, fx) = Step(s, new VassalEvent.HeartbeatMissed(second.Generation));
        Assert.Equal(9, One<SignalGroup>(fx).Signal);
        Assert.Equal(VassalPhase.Restarting, s.Phase);

        (s, fx) = Step(s, new VassalEvent.Exited(100, new VassalExit(null, 9)));
        One<Spawn>(fx);
    }

    [Fact]
    public void HeartbeatMissed_AfterANewHeartbeat_IsStale()
    {
        var (s, fx) = Step(Running(speaks: true), new VassalEvent.Heartbeat());
        var first = One<StartHeartbeatTimer>(fx);
        (s, _) = Step(s, new VassalEvent.Heartbeat());
        var (after, none) = Step(s, new VassalEvent.HeartbeatMissed(first.Generation));
        Assert.Same(s, after);
        Assert.Empty(none);
    }

    [Fact]
    public void HeartbeatMissed_ForeignWatchdogVassal_IsRestartedBySigterm()
    {
        var (s, fx) = Step(Running(), new VassalEvent.Heartbeat());
        (s, fx) = Step(s, new VassalEvent.HeartbeatMissed(One<StartHeartbeatTimer>(fx).Generation));
        Assert.Equal(VassalPhase.Restarting, s.Phase);
        Assert.Equal(15, One<SignalGroup>(fx).Signal);
    }

    [Fact]
    public void NotifyReady_MakesReadyAndLoyal()
    {
        var (s, fx) = Step(Running(), new VassalEvent.NotifyReady());
        Assert.True(s.Ready);
        Assert.True(s.Loyal);
        Assert.Contains(fx, e => e is Log { Kind: VassalLogKind.Loyal });
    }

    [Fact]
    public void LoyaltyPeriod_OnlyForTheCurrentProcess()
    {
        var s = Running();
        var (stale, none) = Step(s, new VassalEvent.LoyaltyPeriodElapsed(s.Spawns - 1));
        Assert.False(stale.Loyal);
        Assert.Empty(none);
        var (loyal, _) = Step(s, new VassalEvent.LoyaltyPeriodElapsed(s.Spawns));
        Assert.True(loyal.Loyal);
    }

    [Fact]
    public void Pardoned_WaitingVassal_SpawnsNow()
    {
        var (s, _) = Step(Running(), new VassalEvent.Exited(100, new VassalExit(1, null)));
        Assert.Equal(VassalPhase.Waiting, s.Phase);
        var (next, fx) = Step(s, new VassalEvent.Pardoned());
        One<Spawn>(fx);
        Assert.Equal(VassalPhase.New, next.Phase);
    }

    [Fact]
    public void Removed_WhileWaiting_DeletesAtOnce()
    {
        var (s, _) = Step(Running(), new VassalEvent.Exited(100, new VassalExit(1, null)));
        var (next, fx) = Step(s, new VassalEvent.Removed("file gone"));
        One<Delete>(fx);
        Assert.Equal(VassalPhase.Deleted, next.Phase);
        Assert.Null(_blacklist.Get("app.ini"));
    }

    [Fact]
    public void SpawnFailed_BacksOffLikeACrash()
    {
        var (s, _) = VassalStateMachine.Start("app.ini");
        var (next, fx) = Step(s, new VassalEvent.SpawnFailed("No such file or directory"));
        Assert.Equal(VassalPhase.Waiting, next.Phase);
        Assert.Equal(TimeSpan.FromSeconds(1), One<StartTimer>(fx).Delay);
        Assert.Contains(fx, e => e is Log { Kind: VassalLogKind.SpawnFailed });
    }

    [Fact]
    public void SigtermIgnored_WhileStopping_ShortensTheWaitBeforeSigkill()
    {
        var (s, _) = Step(Running(), new VassalEvent.Removed("file gone"));
        var (next, fx) = Step(s, new VassalEvent.SigtermIgnored());
        var timer = One<StartTimer>(fx);
        Assert.Equal(TimeSpan.FromSeconds(1), timer.Delay);
        Assert.Equal(next.TimerGeneration, timer.Generation);
        (_, fx) = Step(next, new VassalEvent.TimerFired(timer.Generation));
        Assert.Equal(9, One<SignalGroup>(fx).Signal);

        var (running, none) = Step(Running(), new VassalEvent.SigtermIgnored());
        Assert.Empty(none);
        Assert.Equal(VassalPhase.Running, running.Phase);
    }

    [Fact]
    public void OperatorStop_HoldsUntilStarted_ConfigChangesDoNotRestartIt()
    {
        var (s, fx) = Step(Running(), new VassalEvent.OperatorStop());
        Assert.Equal(VassalPhase.Stopping, s.Phase);
        Assert.Equal(15, One<SignalGroup>(fx).Signal);
        (s, fx) = Step(s, new VassalEvent.Exited(100, new VassalExit(null, 15)));
        Assert.Equal(VassalPhase.Held, s.Phase);
        Assert.Empty(fx.OfType<Delete>());
        Assert.Empty(fx.OfType<Spawn>());

        (s, fx) = Step(s, new VassalEvent.ConfigChanged("touched"));
        Assert.Equal(VassalPhase.Held, s.Phase);
        Assert.Empty(fx);

        (s, fx) = Step(s, new VassalEvent.OperatorStart());
        One<Spawn>(fx);
        Assert.Equal(VassalPhase.New, s.Phase);
    }

    [Fact]
    public void OwnerChanged_RestartsTheProcess()
    {
        var (s, fx) = Step(Running(), new VassalEvent.OwnerChanged());
        Assert.Equal(VassalPhase.Restarting, s.Phase);
        Assert.Equal(15, One<SignalGroup>(fx).Signal);
    }
}
