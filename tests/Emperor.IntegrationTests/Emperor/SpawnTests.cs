using System.Globalization;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>A new vassal file: what the process the Emperor starts for it gets (spec §3.2, §7.1, §10.1).</summary>
[Collection(EmperorBlackBox.Name)]
public sealed class SpawnTests
{
    [Fact(Timeout = 60_000)]
    public Task NewConfig_Spawned_WithUwsgisArgvCwdEnvironmentFdsSessionAndDeathSignal() => EmperorScenario.RunAsync("spawn", async s =>
    {
        var reportPath = s.PathOf("app.report");
        var emperor = await s.StartEmperorWithAsync(
            ["--emperor", s.VassalDir, "--binary-path", TestPaths.TestVassalBinary],
            [
                new("TESTVASSAL_REPORT", reportPath),
                new("UWSGI_VASSAL_SOCKET", "/run/%n.sock"),
                new("UWSGI_VASSAL_ENV", "FOO=%n"),
                new("UWSGI_RELOADS", "7"),
                new("NOTIFY_SOCKET", "@not-the-emperors-socket"),
            ]);

        s.WriteVassal("app.ini", "[uwsgi]\n; testvassal is the vassal binary itself here (--binary-path); it ignores --ini\n");
        var report = await Wait.ForValueAsync(() => ReportFile.TryLoad(reportPath), EmperorScenario.Prompt, "the vassal's report", s.Cancel);
        var pid = await emperor.WaitForRunningPidAsync("app.ini", EmperorScenario.Prompt, s.Cancel);

        Assert.Equal(pid, report.Pid);
        Assert.Equal([TestPaths.TestVassalBinary, "--ini", "app.ini"], report.Argv);
        Assert.Equal(s.VassalDir, report.WorkingDirectory);

        // Environment (spec §10.1): the link, our sd_notify socket, no UWSGI_RELOADS, UWSGI_VASSAL_X -> UWSGI_X with %n expanded.
        var env = report.Environment;
        Assert.True(env.ContainsKey("UWSGI_EMPEROR_FD"), "UWSGI_EMPEROR_FD is missing");
        Assert.True(env.TryGetValue("NOTIFY_SOCKET", out var notify) && notify.Length > 0, "NOTIFY_SOCKET is missing");
        Assert.NotEqual("@not-the-emperors-socket", notify);
        Assert.False(env.ContainsKey("UWSGI_RELOADS"), "UWSGI_RELOADS must not reach a vassal");
        Assert.Equal("/run/app.sock", env.GetValueOrDefault("UWSGI_SOCKET"));
        Assert.Equal("FOO=app", env.GetValueOrDefault("UWSGI_ENV"));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("UWSGI_VASSAL_", StringComparison.Ordinal));

        // Fds: exactly 0, 1, 2 and the link came through exec; stdin is /dev/null, stdout/stderr two pipes whose other
        // ends the Emperor holds (docs/logs.md), not the Emperor's own streams.
        var link = int.Parse(env["UWSGI_EMPEROR_FD"], CultureInfo.InvariantCulture);
        Assert.Equal([0, 1, 2, link], report.InheritedFds);
        Assert.Equal("/dev/null", report.FdTargets[0]);
        Assert.StartsWith("socket:[", report.FdTargets[link], StringComparison.Ordinal);
        var emperorFds = ProcessTree.OpenFds(emperor.Pid);
        Assert.StartsWith("pipe:[", report.FdTargets[1], StringComparison.Ordinal);
        Assert.StartsWith("pipe:[", report.FdTargets[2], StringComparison.Ordinal);
        Assert.NotEqual(report.FdTargets[1], report.FdTargets[2]);
        Assert.Contains(report.FdTargets[1], emperorFds.Where(fd => fd.Key > 2).Select(fd => fd.Value));
        Assert.Contains(report.FdTargets[2], emperorFds.Where(fd => fd.Key > 2).Select(fd => fd.Value));
        Assert.NotEqual(emperorFds[1], report.FdTargets[1]);
        Assert.NotEqual(emperorFds[2], report.FdTargets[2]);

        // Its own session and process group, a child of the Emperor, killed if the Emperor dies.
        Assert.Equal(pid, report.Session);
        Assert.Equal(pid, report.ProcessGroup);
        Assert.Equal(emperor.Pid, report.ParentPid);
        Assert.Equal(9, report.ParentDeathSignal);
    }, TestContext.Current.CancellationToken);
}
