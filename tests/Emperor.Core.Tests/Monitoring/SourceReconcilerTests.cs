using Emperor.Core.Monitoring;
using Emperor.Core.Policies;
using Emperor.Core.Tests.Support;

namespace Emperor.Core.Tests.Monitoring;

public sealed class SourceReconcilerTests
{
    private readonly OddFrequencyTimeProvider _time = new();

    private static SourceEntry E(string name, long mtime = 1, int uid = 1000, int gid = 1000, string? inline = null) =>
        new(name, mtime, uid, gid, inline);

    private static Dictionary<string, SourceEntry> Scan(params SourceEntry[] entries) =>
        entries.ToDictionary(e => e.Name, StringComparer.Ordinal);

    private SourceReconciler New(bool tyrant = false) => new(_time, new TyrantGate(tyrant));

    private static List<(SourceDecisionKind, string)> Kinds(ScanOutcome o) => [.. o.Decisions.Select(d => (d.Kind, d.Entry.Name))];

    [Fact]
    public void New_names_start_and_unchanged_ones_decide_nothing()
    {
        var r = New();
        Assert.Equal([(SourceDecisionKind.Start, "a"), (SourceDecisionKind.Start, "b")], Kinds(r.Reconcile(0, Scan(E("a"), E("b")))));
        Assert.Empty(r.Reconcile(0, Scan(E("a"), E("b"))).Decisions);
    }

    [Fact]
    public void A_new_mtime_or_inline_text_is_a_reload()
    {
        var r = New();
        r.Reconcile(0, Scan(E("a"), E("b", inline: "x")));
        Assert.Equal([(SourceDecisionKind.Reload, "a"), (SourceDecisionKind.Reload, "b")], Kinds(r.Reconcile(0, Scan(E("a", mtime: 2), E("b", inline: "y")))));
    }

    [Fact]
    public void A_removal_waits_for_confirmation_and_a_quick_return_is_a_change()
    {
        var r = New();
        r.Reconcile(0, Scan(E("a")));

        var first = r.Reconcile(0, Scan());
        Assert.Empty(first.Decisions);
        Assert.Equal(SourceReconciler.RemovalConfirm, first.ConfirmAgainAfter);

        _time.Advance(TimeSpan.FromMilliseconds(30));
        var back = r.Reconcile(0, Scan(E("a", mtime: 2))); // save-by-rename: back with a new mtime
        Assert.Equal([(SourceDecisionKind.Reload, "a")], Kinds(back));
        Assert.Null(back.ConfirmAgainAfter);

        r.Reconcile(0, Scan());
        _time.Advance(TimeSpan.FromMilliseconds(20));
        var again = r.Reconcile(0, Scan());
        Assert.Empty(again.Decisions);
        Assert.Equal(TimeSpan.FromMilliseconds(30), again.ConfirmAgainAfter);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal([(SourceDecisionKind.Stop, "a")], Kinds(r.Reconcile(0, Scan())));
        Assert.Empty(r.Reconcile(0, Scan()).Decisions); // decided once

        r.Forget("a");
        Assert.Equal([(SourceDecisionKind.Start, "a")], Kinds(r.Reconcile(0, Scan(E("a", mtime: 3)))));
    }

    [Fact]
    public void The_first_monitor_that_produced_a_name_owns_it()
    {
        var r = New();
        r.Reconcile(0, Scan(E("a")));
        Assert.Empty(r.Reconcile(1, Scan(E("a", mtime: 9))).Decisions);
        Assert.Equal(0, r.OwnerOf("a"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(r.Reconcile(1, Scan()).Decisions); // monitor 1 never owned it: its absence stops nothing
    }

    [Fact]
    public void Tyrant_mode_refuses_root_once_per_appearance()
    {
        var r = New(tyrant: true);
        Assert.Equal([(SourceDecisionKind.Refused, "r")], Kinds(r.Reconcile(0, Scan(E("r", uid: 0, gid: 0)))));
        Assert.Empty(r.Reconcile(0, Scan(E("r", uid: 0, gid: 0))).Decisions);
        Assert.Empty(r.Reconcile(0, Scan()).Decisions);
        Assert.Equal([(SourceDecisionKind.Refused, "r")], Kinds(r.Reconcile(0, Scan(E("r", uid: 0, gid: 5)))));
        Assert.Equal([(SourceDecisionKind.Start, "r")], Kinds(r.Reconcile(0, Scan(E("r", uid: 7, gid: 5)))));
    }

    [Fact]
    public void Tyrant_mode_restarts_on_a_new_owner_and_stops_on_root()
    {
        var r = New(tyrant: true);
        r.Reconcile(0, Scan(E("a")));
        Assert.Equal([(SourceDecisionKind.OwnerChanged, "a")], Kinds(r.Reconcile(0, Scan(E("a", uid: 1001)))));
        Assert.Equal(
            [(SourceDecisionKind.Stop, "a"), (SourceDecisionKind.Refused, "a")],
            Kinds(r.Reconcile(0, Scan(E("a", uid: 0, gid: 0)))));
        Assert.Empty(r.Reconcile(0, Scan(E("a", uid: 0, gid: 0))).Decisions);
    }

    [Fact]
    public void Outside_tyrant_mode_an_owner_change_alone_is_nothing()
    {
        var r = New();
        r.Reconcile(0, Scan(E("a")));
        Assert.Empty(r.Reconcile(0, Scan(E("a", uid: 0, gid: 0))).Decisions);
        Assert.Equal([(SourceDecisionKind.Reload, "a")], Kinds(r.Reconcile(0, Scan(E("a", mtime: 5, uid: 3)))));
    }
}
