using System.Globalization;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>uid, gid, add-gid and initgroups (names and numbers), and PDEATHSIG after the drop under an Emperor.</summary>
public sealed class VassalCredentialTests(ThrowawayAccount account)
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task UidAndGid_ByName_DropToThatUserWithTheAccountsGroups()
    {
        var report = await RunAsync("creds-names", ["uid = nobody", "gid = nogroup"], TestContext.Current.CancellationToken);

        Assert.Equal((65534, 65534, 65534, 65534), (report.Uid, report.EffectiveUid, report.Gid, report.EffectiveGid));
        Assert.Equal([65534], report.Groups); // initgroups(nobody, nogroup) as uWSGI does; the 4 and 27 the vassal started with are gone
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task NoInitgroups_LeavesNoSupplementaryGroups()
    {
        var report = await RunAsync("creds-noinit", ["uid = nobody", "gid = nogroup", "no-initgroups = true"], TestContext.Current.CancellationToken);

        Assert.Equal((65534, 65534), (report.Uid, report.Gid));
        Assert.Empty(report.Groups);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task UidAndGid_ByNumberWithoutAnAccount_DropToThoseIds()
    {
        var report = await RunAsync("creds-numbers", [$"uid = {ThrowawayAccount.NoAccountUid}", $"gid = {ThrowawayAccount.NoAccountGid}"], TestContext.Current.CancellationToken);

        Assert.Equal((ThrowawayAccount.NoAccountUid, ThrowawayAccount.NoAccountUid), (report.Uid, report.EffectiveUid));
        Assert.Equal((ThrowawayAccount.NoAccountGid, ThrowawayAccount.NoAccountGid), (report.Gid, report.EffectiveGid));
        Assert.Empty(report.Groups);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task AddGid_ByNameAndNumber_AreTheSupplementaryGroups()
    {
        var report = await RunAsync("creds-addgid", ["uid = nobody", "gid = nogroup", $"add-gid = {account.GroupName}", "add-gid = 4444"], TestContext.Current.CancellationToken);

        Assert.Equal((65534, 65534), (report.Uid, report.Gid));
        Assert.Equal([.. new[] { account.SupplementaryGid, 4444, 65534 }.Order()], report.Groups); // add-gid adds to nobody's own groups
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Initgroups_WithTheUserByName_TakesTheAccountsGroups()
    {
        var report = await RunAsync("creds-initgroups", [$"uid = {account.UserName}", "gid = nogroup", "initgroups = true"], TestContext.Current.CancellationToken);

        Assert.Equal((account.Uid, 65534), (report.Uid, report.Gid));
        Assert.Equal([.. new[] { account.SupplementaryGid, 65534 }.Order()], report.Groups);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Initgroups_WithTheUserByNumber_TakesTheAccountsGroups()
    {
        var report = await RunAsync("creds-initgroups-n", [$"uid = {account.Uid.ToString(CultureInfo.InvariantCulture)}", "gid = 65534", "initgroups = 1", "add-gid = 4444"], TestContext.Current.CancellationToken);

        Assert.Equal((account.Uid, 65534), (report.Uid, report.Gid));
        Assert.Equal([.. new[] { account.SupplementaryGid, 65534, 4444 }.Order()], report.Groups);
    }

    /// <summary>A credential change clears PR_SET_PDEATHSIG; under an Emperor the role arms it again.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task UnderAnEmperor_AfterAUidChange_PdeathsigIsSigkill()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("creds-pdeathsig");
        await using var guard = new LeakGuard();
        using var link = SocketPair.Create();
        var ini = box.Ini(["uid = nobody", "gid = nogroup", .. VassalRun.ReportingApp(box.Report)]);

        // Armed before the exec, as the Emperor's child set-up does; the uid change then clears it.
        await using var app = VassalRun.Start(guard, ini, link: link, wrapper: ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(65534, report.Uid);
        Assert.Equal(9, report.ParentDeathSignal);
    }

    /// <summary>
    /// Runs the vassal as root with supplementary groups 4 and 27, so that what the drop does to the groups
    /// shows (root in a container often has none).
    /// </summary>
    private static async Task<ReportFile> RunAsync(string purpose, string[] lines, CancellationToken cancel)
    {
        using var box = new Sandbox(purpose);
        await using var guard = new LeakGuard();
        var ini = box.Ini([.. lines, .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, wrapper: ["/usr/bin/setpriv", "--groups", "4,27", "--"]);
        return await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);
    }
}
