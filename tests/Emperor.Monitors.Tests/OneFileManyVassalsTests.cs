using Emperor.Testing;

namespace Emperor.Monitors.Tests;

/// <summary>
/// One file, many vassals, with the built Emperor on a directory: an <c>[emperor]</c> section's <c>vassals</c> list
/// makes each listed section a vassal <c>FILE:SECTION</c>, started as <c>--ini FILE:SECTION</c>; an edit reloads
/// only the sections it changed, a section leaving the list stops only its vassal, one joining it spawns, and the
/// file's removal stops them all. Our vassal role and real uWSGI both read exactly their section.
/// </summary>
public sealed class OneFileManyVassalsTests : IAsyncDisposable
{
    private const string Uwsgi = "/usr/bin/uwsgi-core";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private readonly LeakGuard _guard = new();
    private readonly TempDir _dir = new("multi");
    private EmperorProcess? _emperor;

    private static string Protocol(string tag) =>
        $"env = TAG={tag}\nunprivileged-binary-patch-arg = exec {TestPaths.TestVassalBinary} --protocol --send 1\n";

    private static string Ini(string vassals, string a, string b, string? c = null) =>
        $"[emperor]\nvassals = {vassals}\n\n[common]\nenv = SHARED=1\n\n[a]\nini = :common\n{Protocol(a)}\n[b]\nini = :common\n{Protocol(b)}\n"
        + (c is null ? string.Empty : $"\n[c]\n{Protocol(c)}");

    [Fact(Timeout = 120_000)]
    public async Task Ini_EachListedSectionIsAVassal_EditsReloadOnlyTheirSection_TheListSpawnsAndStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var vassals = Directory.CreateDirectory(_dir.Combine("vassals")).FullName;
        var file = Path.Combine(vassals, "fleet.ini");
        File.WriteAllText(file, Ini("a b", "a1", "b1"));
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", vassals, "--emperor-freq", "1"], _dir.Path, ct);
        var a = await emperor.WaitForRunningPidAsync("fleet.ini:a", s_deadline, ct);
        var b = await emperor.WaitForRunningPidAsync("fleet.ini:b", s_deadline, ct);
        await Wait.UntilAsync(
            () => emperor.LinesContaining("vassal fleet.ini:a has been spawned").Count >= 2 && emperor.LinesContaining("vassal fleet.ini:b has been spawned").Count >= 2,
            s_deadline,
            "both sections to speak the protocol",
            ct);
        Assert.Equal($"{Path.GetFileName(TestPaths.TestVassalBinary)}", ProcessTree.TryReadStat(a)?.Command);

        // Edit [b] only: b is reloaded in place, a is not touched.
        var mark = emperor.Mark();
        File.WriteAllText(file, Ini("a b", "a1", "b2"));
        await emperor.WaitForLineAsync("reload the uwsgi instance fleet.ini:b", s_deadline, mark, ct);
        await emperor.WaitForLineAsync("testvassal: received byte 1", s_deadline, mark, ct);
        Assert.Equal(b, await emperor.WaitForRunningPidAsync("fleet.ini:b", s_deadline, ct));
        Assert.Empty(emperor.LinesContaining("reload the uwsgi instance fleet.ini:a", mark));

        // Edit the shared [common]: both reload.
        mark = emperor.Mark();
        File.WriteAllText(file, Ini("a b", "a1", "b2").Replace("SHARED=1", "SHARED=2", StringComparison.Ordinal));
        await emperor.WaitForLineAsync("reload the uwsgi instance fleet.ini:a", s_deadline, mark, ct);
        await emperor.WaitForLineAsync("reload the uwsgi instance fleet.ini:b", s_deadline, mark, ct);

        // b leaves the list, c joins it: b stops, c spawns, a stays.
        mark = emperor.Mark();
        File.WriteAllText(file, Ini("a c", "a1", "b2", "c1").Replace("SHARED=1", "SHARED=2", StringComparison.Ordinal));
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(b), s_deadline, "b to stop", ct);
        var c = await emperor.WaitForRunningPidAsync("fleet.ini:c", s_deadline, ct);
        Assert.Equal(a, await emperor.WaitForRunningPidAsync("fleet.ini:a", s_deadline, ct));
        Assert.Empty(emperor.LinesContaining("reload the uwsgi instance fleet.ini:a", mark));
        await emperor.WaitForStatsAsync(s => s.Vassal("fleet.ini:b") is null, s_deadline, "b to leave the stats", ct);

        File.Delete(file);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(a) && !ProcessTree.IsRunning(c), s_deadline, "every section's vassal to stop with the file", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("fleet.yml")]
    [InlineData("fleet.json")]
    [InlineData("fleet.xml")]
    public async Task YamlJsonAndXml_ListSectionsToo(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var vassals = Directory.CreateDirectory(_dir.Combine("vassals")).FullName;
        var command = $"exec {TestPaths.TestVassalBinary} --protocol --send 1";
        File.WriteAllText(Path.Combine(vassals, name), name.EndsWith(".yml", StringComparison.Ordinal)
            ? $"emperor:\n  vassals: '*'\nx:\n  unprivileged-binary-patch-arg: {command}\ny:\n  unprivileged-binary-patch-arg: {command}\n"
            : name.EndsWith(".xml", StringComparison.Ordinal)
            ? $"<fleet><emperor><vassals>x y</vassals></emperor><uwsgi id=\"x\"><unprivileged-binary-patch-arg>{command}</unprivileged-binary-patch-arg></uwsgi><uwsgi id=\"y\"><unprivileged-binary-patch-arg>{command}</unprivileged-binary-patch-arg></uwsgi></fleet>"
            : $$$"""{"emperor": {"vassals": "x y"}, "x": {"unprivileged-binary-patch-arg": "{{{command}}}"}, "y": {"unprivileged-binary-patch-arg": "{{{command}}}"}}""");
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", vassals, "--emperor-freq", "1"], _dir.Path, ct);
        await emperor.WaitForRunningPidAsync(name + ":x", s_deadline, ct);
        await emperor.WaitForRunningPidAsync(name + ":y", s_deadline, ct);
        Assert.Null((await emperor.StatsAsync(ct)).Vassal(name));
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    [Fact(Timeout = 120_000)]
    public async Task RealUwsgi_ReadsExactlyItsSection()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Uwsgi), $"{Uwsgi} is missing: install uwsgi-core and uwsgi-plugin-python3 (scripts/test does)");
        var app = _dir.WriteFile("app.py", """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('section %s' % os.environ['WHICH']).encode()]
            """);
        var (p1, p2) = (FreePort.Tcp(), FreePort.Tcp());
        var vassals = Directory.CreateDirectory(_dir.Combine("vassals")).FullName;
        File.WriteAllText(Path.Combine(vassals, "sites.ini"), $"""
            [emperor]
            vassals = one two

            [base]
            plugin = python3
            wsgi-file = {app}
            master = true
            processes = 1

            [one]
            ini = :base
            env = WHICH=one
            http-socket = 127.0.0.1:{p1}

            [two]
            ini = :base
            env = WHICH=two
            http-socket = 127.0.0.1:{p2}
            """);
        var emperor = _emperor = await EmperorProcess.StartWithStatsAsync(_guard, ["--emperor", vassals, "--emperor-freq", "1", "--binary-path", Uwsgi], _dir.Path, ct);
        await Wait.UntilAsync(() => Http.Get(p1) == "section one" && Http.Get(p2) == "section two", s_deadline, $"both sections to serve.{emperor.Tail()}", ct);
        File.Delete(Path.Combine(vassals, "sites.ini"));
        await Wait.UntilAsync(() => Http.Get(p1) is null && Http.Get(p2) is null, s_deadline, "both to stop with the file", ct);
        Assert.Equal(0, await emperor.StopAsync(s_deadline, ct));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_emperor is not null)
            {
                await _emperor.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await _guard.DisposeAsync();
            }
            finally
            {
                _dir.Dispose();
            }
        }
    }
}
