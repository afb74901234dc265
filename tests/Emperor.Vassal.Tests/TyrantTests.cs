using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// Tyrant mode through the real Emperor (spec §9): each vassal runs as its file's owner, root-owned files are
/// refused, a chown restarts the vassal as the new owner, and the vassal cannot climb back to root.
/// </summary>
public sealed class TyrantTests(ThrowawayAccount account)
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Vassal_RunsAsTheFilesOwnerWithTheAccountsGroups()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-owner");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var file = WriteVassal(vassals, "app.ini", account.Uid, ThrowawayAccount.Nogroup, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);

        var report = await ReportAsync(emperor, box.Report, cancel);

        Assert.Equal((account.Uid, account.Uid), (report.Uid, report.EffectiveUid));
        Assert.Equal((ThrowawayAccount.Nogroup, ThrowawayAccount.Nogroup), (report.Gid, report.EffectiveGid));
        Assert.Equal([.. new[] { account.SupplementaryGid, ThrowawayAccount.Nogroup }.Order()], report.Groups);
        Assert.Equal(9, report.ParentDeathSignal);
        Assert.Equal([0, 1, 2, 3], report.InheritedFds);
        Assert.Equal("3", report.Environment.GetValueOrDefault("UWSGI_EMPEROR_FD"));
        Assert.Equal([TestPaths.TestVassalBinary, "--ini", Path.GetFileName(file)], report.Argv);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Vassal_OwnedByAUidWithoutAnAccount_HasNoSupplementaryGroups()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-noaccount");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        WriteVassal(vassals, "app.ini", ThrowawayAccount.NoAccountUid, ThrowawayAccount.NoAccountGid, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);

        var report = await ReportAsync(emperor, box.Report, cancel);

        Assert.Equal((ThrowawayAccount.NoAccountUid, ThrowawayAccount.NoAccountGid), (report.Uid, report.Gid));
        Assert.Empty(report.Groups);
    }

    /// <summary>
    /// uWSGI logs the refusal on every scan; ours logs it once per file. The test lets three more scans complete
    /// (the stats' <c>scans</c>) and then checks that none of them logged the refusal again.
    /// </summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task RootOwnedFiles_AreRefusedWithOneLogLineEach_NotOnEveryScan()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-root");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        WriteVassal(vassals, "root.ini", 0, 0, VassalRun.ReportingApp(box.Combine("root-report"), exit: false));
        WriteVassal(vassals, "gid0.ini", ThrowawayAccount.Nobody, 0, VassalRun.ReportingApp(box.Combine("gid0-report"), exit: false));
        WriteVassal(vassals, "ok.ini", ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);

        _ = await ReportAsync(emperor, box.Report, cancel); // the scans run: the valid vassal is up
        _ = await emperor.WaitForMoreScansAsync(3, Deadlines.Emperor, cancel);

        Assert.Single(emperor.LinesContaining("invalid permissions for vassal root.ini"));
        Assert.Single(emperor.LinesContaining("invalid permissions for vassal gid0.ini"));
        Assert.False(File.Exists(box.Combine("root-report")), "the root-owned vassal ran");
        Assert.False(File.Exists(box.Combine("gid0-report")), "the gid-0 vassal ran");
        Assert.False(emperor.HasExited, emperor.Tail());
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Chown_OfARunningVassalsFile_RestartsItAsTheNewOwner()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-chown");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var file = WriteVassal(vassals, "app.ini", ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);
        var first = await ReportAsync(emperor, box.Report, cancel);
        Assert.Equal(ThrowawayAccount.Nobody, first.Uid);

        Native.Chown(file, account.Uid, ThrowawayAccount.Nogroup);

        var second = await Wait.ForValueAsync(
            () => ReportFile.TryLoad(box.Report) is { } r && r.Uid == account.Uid ? r : null,
            Deadlines.Emperor,
            "the vassal to be restarted as the new owner",
            cancel);
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.Equal(ThrowawayAccount.Nogroup, second.Gid);
        Assert.Equal([.. new[] { account.SupplementaryGid, ThrowawayAccount.Nogroup }.Order()], second.Groups);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(first.Pid), Deadlines.Child, "the old instance to be gone", cancel);
    }

    /// <summary>Spec §9: an owner change stops the vassal; it comes back only under a non-root owner.</summary>
    [Theory(Timeout = Deadlines.Test)]
    [InlineData(0, 0)]
    [InlineData(ThrowawayAccount.Nobody, 0)]
    [InlineData(0, ThrowawayAccount.Nogroup)]
    public async Task Chown_OfARunningVassalsFileToRoot_StopsItAndNeverRunsItAsRoot(int uid, int gid)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-chown-root");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var file = WriteVassal(vassals, "app.ini", ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);
        var first = await ReportAsync(emperor, box.Report, cancel);
        File.Delete(box.Report);

        Native.Chown(file, uid, gid);

        // Whichever comes first: the refusal, or (wrongly) a new instance writing its report.
        await Wait.UntilAsync(
            () => File.Exists(box.Report) || emperor.LinesContaining("invalid permissions for vassal app.ini").Count > 0,
            Deadlines.Emperor,
            "the Emperor to refuse the now root-owned file",
            cancel);
        var second = ReportFile.TryLoad(box.Report);
        Assert.True(second is null, $"the vassal was restarted as uid {second?.Uid} gid {second?.Gid}\n{emperor.Tail()}");
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(first.Pid), Deadlines.Child, "the old instance to be stopped", cancel);
        Assert.Single(emperor.LinesContaining("invalid permissions for vassal app.ini"));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task RefusedRootOwnedFile_ChownedToAUser_IsStartedAsThatUser()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-root-to-user");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var file = WriteVassal(vassals, "app.ini", 0, 0, VassalRun.ReportingApp(box.Report, exit: false));
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);
        _ = await emperor.WaitForLineAsync("invalid permissions for vassal app.ini", Deadlines.Emperor, cancel);

        Native.Chown(file, ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup);

        var report = await ReportAsync(emperor, box.Report, cancel);
        Assert.Equal((ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup), (report.Uid, report.Gid));
    }

    [Theory(Timeout = Deadlines.Test)]
    [InlineData("uid = 0", "setuid(0): Operation not permitted")]
    [InlineData("gid = 0", "setgid(0): Operation not permitted")]
    [InlineData("uid = root", "setuid(0): Operation not permitted")]
    public async Task VassalOptions_CannotRaiseItBackToRoot(string option, string error)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-escalate");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        WriteVassal(vassals, "esc.ini", ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup, [option, .. VassalRun.ReportingApp(box.Report, exit: false)]);
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);

        await emperor.WaitForLineAsync("died (exit code 1)", Deadlines.Emperor, cancel);

        // Each attempt: one line from the vassal (on its captured stderr, so [esc.ini]-prefixed, and it may arrive
        // just after the Emperor logged the death), and nothing else from it; the app never ran.
        const string Prefix = "[esc.ini] emperor: vassal esc.ini: ";
        await emperor.WaitForLineAsync(Prefix + error, Deadlines.Emperor, cancel);
        Assert.All(emperor.LinesContaining("emperor: vassal esc.ini: "), line => Assert.Equal(Prefix + error, line.Text));
        Assert.False(File.Exists(box.Report), "the vassal ran its app");
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task PrivilegedPatch_RunsUnprivileged()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("tyrant-privpatch");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        WriteVassal(vassals, "app.ini", ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup, [$"privileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --report {box.Report}"]);
        await using var guard = new LeakGuard();
        await using var emperor = await StartEmperorAsync(guard, vassals, cancel);

        var report = await ReportAsync(emperor, box.Report, cancel);

        Assert.Equal((ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup), (report.Uid, report.Gid));
        Assert.Equal((ThrowawayAccount.Nobody, ThrowawayAccount.Nogroup), (report.EffectiveUid, report.EffectiveGid));
    }

    private static string WriteVassal(string dir, string name, int uid, int gid, string[] lines)
    {
        var path = Path.Combine(dir, name);

        // Written under another name and renamed in, owner already set: the Emperor must never see it root-owned.
        var temp = Path.Combine(Path.GetDirectoryName(dir)!, name + ".tmp");
        File.WriteAllText(temp, "[uwsgi]\n" + string.Concat(lines.Select(l => l + "\n")));
        File.SetUnixFileMode(temp, (UnixFileMode)Convert.ToInt32("644", 8));
        Native.Chown(temp, uid, gid);
        File.Move(temp, path);
        return path;
    }

    /// <summary>A tyrant Emperor on <paramref name="vassals"/>, rescanning every second, with a stats socket (for its scan count).</summary>
    private static Task<EmperorProcess> StartEmperorAsync(LeakGuard guard, string vassals, CancellationToken cancel) =>
        EmperorProcess.StartWithStatsAsync(guard, ["--emperor", vassals, "--emperor-tyrant", "--emperor-freq", "1"], "/", cancel);

    private static async Task<ReportFile> ReportAsync(EmperorProcess emperor, string reportPath, CancellationToken cancel)
    {
        try
        {
            return await Wait.ForValueAsync(() => ReportFile.TryLoad(reportPath), Deadlines.Emperor, "the vassal's report", cancel);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{emperor.Tail()}", e);
        }
    }
}
