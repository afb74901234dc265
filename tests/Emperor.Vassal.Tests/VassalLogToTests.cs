using System.Globalization;
using System.Text.RegularExpressions;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// A vassal's own log options as uWSGI's core/logging.c applies them (docs/logs.md, "A vassal's own logto"): logto
/// appends the program's stdout and stderr to the file (mode 0640), log-truncate and logfile-chmod, logto2 opened as
/// the dropped user, daemonize logging under an Emperor only, and log-maxsize rotating the file to log-backupname or
/// FILE.UNIXTIME between lines.
/// </summary>
public sealed partial class VassalLogToTests
{
    private const string Prefix = "emperor: vassal app.ini: ";

    [Fact(Timeout = Deadlines.Test)]
    public async Task Logto_AppendsTheProgramsStdoutAndStderrToTheFile_NothingReachesTheOldStreams()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("logto");
        await using var guard = new LeakGuard();
        var log = box.Dir.WriteFile("app.log", "from before\n");
        var ini = box.Ini($"logto = {log}", "unprivileged-binary-patch-arg = echo to stdout; echo to stderr >&2");
        await using var run = VassalRun.Start(guard, ini);

        Assert.Equal(0, await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel));
        Assert.Equal("from before\nto stdout\nto stderr\n", File.ReadAllText(log));
        Assert.Equal(string.Empty, run.StandardOutputText + run.StandardErrorText);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Logto_ANewFileIs0640_LogTruncateEmptiesIt_LogfileChmodSetsItsMode()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("logto-mode");
        await using var guard = new LeakGuard();
        var fresh = box.Combine("fresh.log");
        await using (var first = VassalRun.Start(guard, box.Ini($"logto = {fresh}", "umask = 022", "unprivileged-binary-patch-arg = echo one")))
        {
            Assert.Equal(0, await first.WaitForExitAndOutputAsync(Deadlines.Child, cancel));
        }

        Assert.Equal("640", Mode(fresh));

        var old = box.Dir.WriteFile("old.log", "to be dropped\n");
        await using var second = VassalRun.Start(guard, box.Ini($"logto = {old}", "log-truncate = true", "logfile-chmod = 600", "unprivileged-binary-patch-arg = echo two"));
        Assert.Equal(0, await second.WaitForExitAndOutputAsync(Deadlines.Child, cancel));
        Assert.Equal("two\n", File.ReadAllText(old));
        Assert.Equal("600", Mode(old));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Logto2_IsOpenedAfterThePrivilegeDrop_SoTheDroppedUserOwnsIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("logto2");
        await using var guard = new LeakGuard();
        var log = box.Combine("user.log");
        var ini = box.Ini("uid = nobody", "gid = nogroup", $"logto2 = {log}", "unprivileged-binary-patch-arg = echo as $(id -u)");
        await using var run = VassalRun.Start(guard, ini);

        Assert.Equal(0, await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel));
        Assert.Equal("as 65534\n", File.ReadAllText(log));
        Assert.Equal(65534u, Native.Owner(log).Uid);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Daemonize_UnderAnEmperorLogsToTheFile_OutsideOneIsRefusedWithOneLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("daemonize");
        await using var guard = new LeakGuard();
        var log = box.Combine("d.log");
        var ini = box.Ini($"daemonize = {log}", "unprivileged-binary-patch-arg = echo daemonized");
        using (var link = SocketPair.Create())
        {
            await using var vassal = VassalRun.Start(guard, ini, link);
            Assert.Equal(0, await vassal.WaitForExitAndOutputAsync(Deadlines.Child, cancel));
        }

        Assert.Equal("daemonized\n", File.ReadAllText(log));

        await using var alone = VassalRun.Start(guard, ini);
        await VassalRun.AssertFailsWithAsync(
            alone,
            $"{Prefix}daemonize {log}: the vassal role does not daemonize; outside an Emperor use logto, or start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI",
            cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LogMaxsize_RotatesToTheBackupName_BetweenLines_WithUwsgisRotationLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("log-maxsize");
        await using var guard = new LeakGuard();
        var log = box.Combine("app.log");
        var backup = box.Combine("app.log.old");

        // 30 lines of 38 bytes, one write each: past 1000 bytes the file is rotated once.
        var ini = box.Ini(
            $"logto = {log}",
            "log-maxsize = 1000",
            $"log-backupname = {backup}",
            "unprivileged-binary-patch-arg = i=10; while [ $i -lt 40 ]; do printf 'line %%s of the vassal, padded to 38 b\\n' $i; i=$((i+1)); done");
        await using var run = VassalRun.Start(guard, ini);
        Assert.Equal(0, await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel));

        // The rotator writes until it reads EOF, which is when the program's last descriptor closed.
        await Wait.UntilAsync(() => Lines(log).Concat(Lines(backup)).Count(l => l.StartsWith("line ", StringComparison.Ordinal)) == 30, Deadlines.Child, "all 30 lines in the two files", cancel);
        var rotated = Lines(backup);
        var current = Lines(log);
        Assert.Matches(RotationLine(), rotated[^1]);
        Assert.Contains(backup, rotated[^1], StringComparison.Ordinal);
        var logged = rotated[..^1].Concat(current).ToList();
        Assert.Equal(Enumerable.Range(10, 30).Select(i => $"line {i} of the vassal, padded to 38 b"), logged);
        // Rotated right after the line that took the file past 1000 bytes: without that line it was within the limit.
        var rotatedBytes = rotated[..^1].Select(l => l.Length + 1).ToList();
        Assert.True(rotatedBytes.Sum() > 1000 && rotatedBytes.Sum() - rotatedBytes[^1] <= 1000, $"rotated at {rotatedBytes.Sum()} bytes");
        Assert.True(new FileInfo(log).Length <= 1000, "the current file is past the limit without being rotated");
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LogMaxsize_WithoutABackupName_RotatesToFileDotUnixTime()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("log-maxsize-time");
        await using var guard = new LeakGuard();
        var log = box.Combine("app.log");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var ini = box.Ini($"logto = {log}", "log-maxsize = 100", "unprivileged-binary-patch-arg = echo 'a line that is long enough to pass the hundred byte limit of this log file, twice over, yes, and then some more words to be sure'; echo after");
        await using var run = VassalRun.Start(guard, ini);
        Assert.Equal(0, await run.WaitForExitAndOutputAsync(Deadlines.Child, cancel));

        await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllText(log) == "after\n", Deadlines.Child, "the line after the rotation in the new file", cancel);
        var rotated = Assert.Single(Directory.GetFiles(box.Path), f => Path.GetFileName(f).StartsWith("app.log.", StringComparison.Ordinal));
        var stamp = long.Parse(Path.GetExtension(rotated)[1..], CultureInfo.InvariantCulture);
        Assert.InRange(stamp, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.StartsWith("a line that is long enough", File.ReadAllText(rotated), StringComparison.Ordinal);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LogMaxsize_TheRotatorHoldsOnlyItsPipeAndFile_NotTheVassalsSocketOrLink_AndEndsWithTheProgram()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("log-maxsize-fds");
        await using var guard = new LeakGuard();
        var log = box.Combine("app.log");
        var ini = box.Ini("http-socket = 127.0.0.1:0", $"logto = {log}", "log-maxsize = 100000", "unprivileged-binary-patch-arg = echo up; exec sleep 100000");
        using var link = SocketPair.Create();
        await using var run = VassalRun.Start(guard, ini, link);
        await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllText(log) == "up\n", Deadlines.Child, "the program's first line in its log", cancel);

        var rotator = Assert.Single(ProcessTree.Children(run.Pid));
        var fds = ProcessTree.OpenFds(rotator);
        Assert.DoesNotContain(fds.Values, target => target.StartsWith("socket:", StringComparison.Ordinal));
        Assert.Contains(log, fds.Values);
        Assert.True(ProcessTree.OpenFds(run.Pid).Values.Count(t => t.StartsWith("socket:", StringComparison.Ordinal)) >= 2, "the program itself keeps its socket and link");

        run.Kill();
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(rotator), Deadlines.Child, "the rotator to end with the program", cancel);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LogtoToAUdpAddress_IsRefusedWithOneLine()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("logto-udp");
        await using var guard = new LeakGuard();
        var ini = box.Ini("logto = 127.0.0.1:1717", "unprivileged-binary-patch-arg = echo never");
        await using var run = VassalRun.Start(guard, ini);
        await VassalRun.AssertFailsWithAsync(
            run,
            $"{Prefix}{ini}:2: logto = 127.0.0.1:1717: logging to a UDP address is not supported by the Emperor's vassal role; name a file, or start the Emperor with --binary-path /usr/bin/uwsgi to run this vassal with real uWSGI",
            cancel);
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    [GeneratedRegex(@"^logsize: \d+, triggering rotation to .+\.\.\.$")]
    private static partial Regex RotationLine();
}
