using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>Hooks in uWSGI's phases and order (issue #15 §4), as root, with real commands.</summary>
public sealed class VassalHookTests
{
    private const string Prefix = "emperor: vassal app.ini: ";

    [Fact(Timeout = Deadlines.Test)]
    public async Task EveryPhase_RunsInUwsgiOrder_HookLinesBeforeExecLines_ThenTheProgram()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("hooks-order");
        await using var guard = new LeakGuard();
        var log = box.Dir.WriteFile("log", string.Empty);
        File.SetUnixFileMode(log, (UnixFileMode)Convert.ToInt32("666", 8)); // the as-user phase writes as nobody
        var program = ScriptApp.Write(box, extra: $"echo \"program $(id -u)\" >> {log}; echo \"hostname=$(cat /proc/sys/kernel/hostname)\"");
        var ini = box.WriteIni(
            "app.ini",
            $"exec-as-user = echo \"exec-as-user $(id -u)\" >> {log}",
            $"exec-as-root = echo \"exec-as-root $(id -u)\" >> {log}",
            $"exec-post-jail = echo exec-post-jail >> {log}",
            $"hook-post-jail = appendn:{log} hook-post-jail",
            "hook-post-jail = hostname:jailed-app",
            $"exec-in-jail = echo exec-in-jail >> {log}",
            $"exec-pre-jail = echo exec-pre-jail >> {log}",
            $"hook-pre-jail = appendn:{log} hook-pre-jail",
            $"exec-asap = echo exec-asap >> {log}",
            "uid = 65534",
            "gid = 65534",
            "unshare = uts",
            $"unprivileged-binary-patch = {program}");
        var hostname = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.True(code == 0, run.Output);
        Assert.Equal(
            ["exec-asap", "hook-pre-jail", "exec-pre-jail", "exec-in-jail", "hook-post-jail", "exec-post-jail", "exec-as-root 0", "exec-as-user 65534", "program 65534"],
            File.ReadAllLines(log));
        Assert.Equal("jailed-app", ScriptApp.TryRead(box.Report)!["hostname"]); // set in the program's own uts namespace
        Assert.Equal(hostname, File.ReadAllText("/proc/sys/kernel/hostname").Trim()); // not the host's
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task PostJailHooks_RunOnlyAfterUnshareOrWithJailed()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("hooks-postjail");
        await using var guard = new LeakGuard();
        var log = box.Dir.WriteFile("log", string.Empty);
        var program = ScriptApp.Write(box);

        var plain = box.WriteIni("plain.ini", $"exec-post-jail = echo plain >> {log}", $"unprivileged-binary-patch = {program}");
        await using (var run = VassalRun.Start(guard, plain))
        {
            Assert.True(await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel) == 0, run.Output);
        }

        var jailed = box.WriteIni("jailed.ini", $"exec-post-jail = echo jailed >> {log}", "jailed = true", $"unprivileged-binary-patch = {program}");
        await using (var run = VassalRun.Start(guard, jailed))
        {
            Assert.True(await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel) == 0, run.Output);
        }

        Assert.Equal(["jailed"], File.ReadAllLines(log));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task FailingExecHook_StopsTheStartWithOneLine_LaterHooksAndTheProgramNeverRun()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("hooks-fail");
        await using var guard = new LeakGuard();
        var log = box.Dir.WriteFile("log", string.Empty);
        var ini = box.WriteIni(
            "app.ini",
            $"exec-as-root = echo first >> {log}",
            "exec-as-root = exit 3",
            $"exec-as-root = echo third >> {log}",
            $"exec-as-user = echo as-user >> {log}",
            $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        await VassalRun.AssertFailsWithAsync(run, Prefix + "exec-as-root exit 3: the command exited with code 3", cancel);
        Assert.Equal(["first"], File.ReadAllLines(log));
        Assert.False(File.Exists(box.Report));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task FailingActionHook_OneLineWithTheErrno()
    {
        using var box = new Sandbox("hooks-mkdir");
        var dir = box.Combine("missing/child");
        await AssertFailsAsync(box, [$"hook-pre-jail = mkdir:{dir}"], $"hook-pre-jail mkdir:{dir}: mkdir(): No such file or directory", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task FailingPrivateHook_DoesNotShowItsText()
    {
        using var box = new Sandbox("hooks-private");
        await AssertFailsAsync(box, ["hook-as-root = !exec:test secret = public"], "hook-as-root (private hook): the command exited with code 1", TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task ActionHooks_WriteChmodPutenvAndChdir_TakeEffect()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("hooks-actions");
        await using var guard = new LeakGuard();
        var dir = box.Combine("made");
        var ini = box.WriteIni(
            "app.ini",
            $"hook-as-root = mkdir:{dir}",
            $"hook-as-root = write:{dir}/a one",
            $"hook-as-root = appendn:{dir}/a two",
            $"hook-as-root = chmod:{dir}/a 640",
            "hook-as-root = putenv:HOOKED=yes",
            $"hook-as-user = chdir:{dir}",
            $"unprivileged-binary-patch = {ScriptApp.Write(box, extra: "echo \"cwd=$(pwd)\"; echo \"hooked=$HOOKED\"")}");
        await using var run = VassalRun.Start(guard, ini);

        Assert.True(await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel) == 0, run.Output);
        var report = ScriptApp.TryRead(box.Report)!;
        Assert.Equal("onetwo\n", File.ReadAllText(Path.Combine(dir, "a")));
        Assert.Equal(Convert.ToInt32("640", 8), (int)File.GetUnixFileMode(Path.Combine(dir, "a")));
        Assert.Equal(dir, report["cwd"]);
        Assert.Equal("yes", report["hooked"]);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task RefusedAndUnknownActions_AreOneLineEach_BeforeAnythingRuns()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("hooks-refused");
        await using var guard = new LeakGuard();
        var log = box.Dir.WriteFile("log", string.Empty);
        var ini = box.WriteIni(
            "app.ini",
            $"exec-asap = echo ran >> {log}",
            "hook-as-root = mount:proc none /proc",
            "hook-in-jail = frobnicate:now",
            $"unprivileged-binary-patch = {ScriptApp.Write(box)}");
        await using var run = VassalRun.Start(guard, ini);

        var code = await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel);

        Assert.Equal(1, code);
        Assert.Equal(2, run.StandardErrorLines.Count);
        Assert.StartsWith($"{Prefix}{ini}:3: hook-as-root = mount:proc none /proc: not supported by the Emperor's vassal role (the hook action mount", run.StandardErrorLines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Prefix}{ini}:4: hook-in-jail = frobnicate:now: unknown hook action \"frobnicate\" (known: ", run.StandardErrorLines[1], StringComparison.Ordinal);
        Assert.Empty(File.ReadAllText(log));
    }

    private static async Task AssertFailsAsync(Sandbox box, string[] lines, string expected, CancellationToken cancel)
    {
        await using var guard = new LeakGuard();
        var ini = box.WriteIni("app.ini", [.. lines, $"unprivileged-binary-patch = {ScriptApp.Write(box)}"]);
        await using var run = VassalRun.Start(guard, ini);
        await VassalRun.AssertFailsWithAsync(run, Prefix + expected, cancel);
        Assert.False(File.Exists(box.Report));
    }
}
