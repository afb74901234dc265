using System.Globalization;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// The Emperor configured by a file (<c>emperor --ini emperor.ini</c> with <c>emperor = DIR</c> inside, as uWSGI
/// allows), its pidfile, <c>--emperor-wrapper</c>, and an unreadable vassal file logged once and never started.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class EmperorConfigFileTests
{
    [Fact(Timeout = 60_000)]
    public Task EmperorIni_WithEmperorPidfileAndWrapper_GovernsTheDirectoryThroughTheWrapper() => EmperorScenario.RunAsync("emperor-ini", async s =>
    {
        var pidfile = s.PathOf("emperor.pid");
        var argvLog = s.PathOf("wrapper.argv");
        var wrapper = s.PathOf("wrapper.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\necho \"$0 $*\" > {argvLog}\nexec sleep 100301\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var emperorIni = s.PathOf("emperor.ini");
        File.WriteAllText(emperorIni, $"[uwsgi]\nemperor = {s.VassalDir}\nemperor-pidfile = {pidfile}\nemperor-wrapper = {wrapper}\nemperor-freq = 1\n");
        s.WriteVassal("app.ini", "[uwsgi]\n");

        var emperor = await s.StartEmperorWithAsync(["--ini", emperorIni]);
        var stats = await emperor.WaitForStatsAsync(x => x.RunningPid("app.ini") is not null, EmperorScenario.Prompt, "app.ini running through the wrapper", s.Cancel);

        Assert.Equal(emperor.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidfile).Trim());
        await Wait.UntilAsync(() => File.Exists(argvLog), EmperorScenario.Prompt, "the wrapper to record its argv", s.Cancel);
        Assert.Equal($"{wrapper} --ini app.ini", File.ReadAllText(argvLog).Trim());
        Assert.Contains("sleep 100301", ProcessTree.Describe(stats.RunningPid("app.ini")!.Value), StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task UnreadableVassalFile_IsLoggedOnceAndNeverStarted() => EmperorScenario.RunAsync("unreadable", async s =>
    {
        var locked = s.WriteVassal("locked.ini", VassalFile.Sleep(100302));
        File.SetUnixFileMode(locked, UnixFileMode.None);
        s.WriteVassal("good.ini", VassalFile.Sleep(100303));

        // As root every file is readable: run the Emperor as nobody, over a directory nobody may list.
        File.SetUnixFileMode(s.VassalDir, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(s.Root.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var emperor = await s.StartEmperorWithAsync(
            ["--emperor", s.VassalDir, "--emperor-freq", "1"],
            runAsUser: "65534");
        await emperor.WaitForStatsAsync(x => x.RunningPid("good.ini") is not null, EmperorScenario.Prompt, "good.ini running", s.Cancel);
        await emperor.WaitForLineAsync("locked.ini: this Emperor may not read it", EmperorScenario.Prompt, s.Cancel);

        // Three more completed scans (--emperor-freq 1; the stats count them) may log nothing again and start nothing.
        var mark = emperor.Mark();
        await emperor.WaitForMoreScansAsync(3, EmperorScenario.Slow, s.Cancel);
        Assert.Single(emperor.LinesContaining("locked.ini"));
        Assert.Empty(emperor.LinesContaining("locked.ini", mark));
        Assert.Null((await emperor.StatsAsync(s.Cancel)).Vassal("locked.ini"));
    }, TestContext.Current.CancellationToken);
}
