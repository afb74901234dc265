using Emperor.Core.Policies;
using Emperor.Core.Protocol;
using Emperor.Core.Tests.Support;
using Emperor.Core.Vassals;
using static Emperor.Core.Vassals.VassalEffect;

namespace Emperor.Core.Tests.Vassals;

/// <summary>The on-demand phase of the state machine (spec §13.2): sleep, wake, back to sleep.</summary>
public sealed class OnDemandStateTests
{
    private static readonly VassalPolicy s_policy = new(
        StopTolerance: TimeSpan.FromSeconds(30),
        GracefulShutdown: false,
        ReloadAckTimeout: TimeSpan.FromSeconds(1),
        RequiredHeartbeat: TimeSpan.FromSeconds(5),
        LoyalAfter: TimeSpan.FromSeconds(60));

    private readonly Blacklist _blacklist = new(new OddFrequencyTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), enabled: true);

    private (VassalState S, List<VassalEffect> Fx) Step(VassalState s, VassalEvent e) =>
        VassalStateMachine.Apply(s, e, s_policy, _blacklist);

    private VassalState Sleeping()
    {
        var (s, _) = VassalStateMachine.Start("od.ini");
        (s, var fx) = Step(s, new VassalEvent.OnDemandArmed("/run/od.socket"));
        Assert.Equal(VassalPhase.Sleeping, s.Phase);
        Assert.Contains(fx, e => e is Log { Kind: VassalLogKind.OnDemand, Message: "vassal od.ini is waiting for a connection on /run/od.socket (on demand)" });
        return s;
    }

    [Fact]
    public void A_connection_wakes_it_and_byte_22_returns_it_to_the_socket_without_the_blacklist()
    {
        var (s, fx) = Step(Sleeping(), new VassalEvent.Woken());
        Assert.Equal(VassalPhase.New, s.Phase);
        Assert.IsType<Spawn>(Assert.Single(fx));

        (s, _) = Step(s, new VassalEvent.Spawned(7));
        (s, fx) = Step(s, new VassalEvent.LinkMessage(EmperorMessage.VoluntaryShutdown));
        Assert.Equal(VassalPhase.Restarting, s.Phase);
        Assert.Equal(EmperorMessage.Stop, Assert.Single(fx.OfType<SendMessage>()).Message);

        (s, fx) = Step(s, new VassalEvent.Exited(7, VassalExit.Exited(0)));
        Assert.Equal(VassalPhase.New, s.Phase); // the shell re-arms the socket on this spawn
        Assert.IsType<Spawn>(Assert.Single(fx));
        Assert.Null(_blacklist.Get("od.ini"));
    }

    [Fact]
    public void While_it_sleeps_a_config_change_only_records_the_change_and_a_removal_deletes_it()
    {
        var (s, fx) = Step(Sleeping(), new VassalEvent.ConfigChanged("touched"));
        Assert.Equal(VassalPhase.Sleeping, s.Phase);
        Assert.Empty(fx);

        (s, fx) = Step(s, new VassalEvent.Removed("file removed"));
        Assert.Equal(VassalPhase.Deleted, s.Phase);
        Assert.Contains(fx, e => e is Delete);
    }

    [Fact]
    public void An_operator_stop_holds_it_and_a_wake_while_held_is_ignored()
    {
        var (s, _) = Step(Sleeping(), new VassalEvent.OperatorStop());
        Assert.Equal(VassalPhase.Held, s.Phase);
        var (same, fx) = Step(s, new VassalEvent.Woken());
        Assert.Equal(VassalPhase.Held, same.Phase);
        Assert.Empty(fx);
        (s, fx) = Step(s, new VassalEvent.OperatorStart());
        Assert.Single(fx.OfType<Spawn>());
        Assert.Equal(VassalPhase.New, s.Phase);
    }
}
