using System.Text.Json;
using Emperor.IntegrationTests.Emperor;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Logs;

/// <summary>
/// Vassal output captured through pipes (docs/logs.md), on the real binary: name-prefixed lines on the Emperor's
/// streams, per-vassal files rotated at the size with exactly N backups, a reopen that really lets go of a moved
/// file, <c>emperor logs</c> with and without <c>-f</c>, a vassal dying mid-line, and a 100 MB flood that neither
/// the stats socket nor another vassal waits for.
/// </summary>
[Collection(EmperorBlackBox.Name)]
public sealed class LogCaptureTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(15);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public Task WithoutALogDir_LinesGoToTheEmperorsOwnStreams_PrefixedWithTheName_EvenAnUnfinishedLastLine() =>
        EmperorScenario.RunAsync("log-stream", async s =>
        {
            s.WriteVassal("a.ini", VassalFile.Command("echo to-stdout; echo to-stderr >&2; printf 'dying mid-line'; kill -9 $$"));
            var emperor = await s.StartEmperorAsync();
            var stdout = await emperor.WaitForLineAsync(l => l == "[a.ini] to-stdout", "the stdout line", s_deadline, cancellationToken: Cancel);
            var stderr = await emperor.WaitForLineAsync(l => l == "[a.ini] to-stderr", "the stderr line", s_deadline, cancellationToken: Cancel);
            var partial = await emperor.WaitForLineAsync(l => l == "[a.ini] dying mid-line", "the unfinished line of a vassal killed by SIGKILL", s_deadline, cancellationToken: Cancel);
            Assert.False(emperor.Lines[stdout.Index].IsStandardError);
            Assert.True(emperor.Lines[stderr.Index].IsStandardError);
            Assert.False(emperor.Lines[partial.Index].IsStandardError);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public Task LogDir_RotatesAtTheSize_KeepsExactlyTheBackups_AndLosesNoLineOfTheLastOnes() =>
        EmperorScenario.RunAsync("log-rotate", async s =>
        {
            var dir = s.PathOf("logs");
            s.WriteVassal("r.ini", VassalFile.Command(
                "awk 'BEGIN { for (i = 0; i < 400; i++) print \"line \" i \" of the rotation test....................\" }'; echo done >&2; exec sleep 100000"));
            await s.StartEmperorAsync("--emperor-log-dir", dir, "--emperor-log-maxsize", "2000", "--emperor-log-backups", "3");
            var log = Path.Combine(dir, "r.ini.log");
            await Wait.UntilAsync(() => File.Exists(Path.Combine(dir, "r.ini.err.log")) && File.ReadAllText(Path.Combine(dir, "r.ini.err.log")) == "done\n", s_deadline, "the stderr file", Cancel);
            await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("line 399 ", StringComparison.Ordinal), s_deadline, "the last stdout line in r.ini.log", Cancel);

            Assert.Equal(
                ["r.ini.err.log", "r.ini.log", "r.ini.log.1", "r.ini.log.2", "r.ini.log.3"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var files = new[] { log + ".3", log + ".2", log + ".1", log };
            Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 2000));
            var lines = files.SelectMany(File.ReadAllLines).ToList();
            var first = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Enumerable.Range(first, 400 - first).Select(i => $"line {i} of the rotation test...................."), lines);
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 90_000)]
    public Task Reopen_ReleasesTheMovedFile_AndLogsFollowAndTailWork() =>
        EmperorScenario.RunAsync("log-reopen", async s =>
        {
            var dir = s.PathOf("logs");
            var socket = s.PathOf("cmd.sock");
            s.WriteVassal("t.ini", VassalFile.Command(Ticker("0.1")));
            var emperor = await s.StartEmperorAsync("--emperor-log-dir", dir, "--emperor-command-socket", socket);
            var log = Path.Combine(dir, "t.ini.log");
            await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 3, s_deadline, "three ticks in t.ini.log", Cancel);

            // logs -n 3: the ring's last three lines, consecutive.
            var tail = await Control.CliRun.RunAsync(s.Guard, ["logs", "t.ini", "-n", "3", "--socket", socket], Cancel);
            Assert.Equal(0, tail.ExitCode);
            var ticks = tail.Stdout.TrimEnd('\n').Split('\n').Select(l => int.Parse(l["tick ".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal([ticks[0], ticks[0] + 1, ticks[0] + 2], ticks);

            var unknown = await Control.CliRun.RunAsync(s.Guard, ["logs", "nobody.ini", "--socket", socket], Cancel);
            Assert.Equal((1, "emperor: no vassal named \"nobody.ini\"\n"), (unknown.ExitCode, unknown.Stderr));

            // logs -f streams lines printed after it started.
            await using var follow = TestProcess.Start(s.Guard, TestPaths.EmperorBinary, ["logs", "t.ini", "-f", "-n", "0", "--socket", socket]);
            var followed = await follow.WaitForLineAsync(l => l.Text.StartsWith("tick ", StringComparison.Ordinal), "a followed tick", s_deadline, cancellationToken: Cancel);
            var after = int.Parse(followed.Text["tick ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            await follow.WaitForLineAsync(l => l.Text == $"tick {after + 3}", "three more followed ticks", s_deadline, cancellationToken: Cancel);

            // logrotate moves the file; until the reopen the Emperor still writes to it, after it the path is a new file.
            var moved = Path.Combine(dir, "t.ini.log-rotated");
            File.Move(log, moved);
            Assert.Contains(moved, ProcessTree.OpenFds(emperor.Pid).Values);
            var reopen = await Control.CliRun.RunAsync(s.Guard, ["logs", "--reopen", "--socket", socket], Cancel);
            Assert.Equal((0, "log files reopened\n"), (reopen.ExitCode, reopen.Stdout));
            Assert.DoesNotContain(moved, ProcessTree.OpenFds(emperor.Pid).Values);
            await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 2, s_deadline, "new ticks in a new t.ini.log", Cancel);
            Assert.Contains(log, ProcessTree.OpenFds(emperor.Pid).Values);
            var lastMoved = int.Parse(File.ReadAllLines(moved)[^1]["tick ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"tick {lastMoved + 1}", File.ReadAllLines(log)[0]); // not a line lost or doubled between the two

            follow.Kill();
        }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 180_000)]
    public Task A100MBFlood_DelaysNeitherTheStatsSocketNorAnotherVassal() =>
        EmperorScenario.RunAsync("log-flood", async s =>
        {
            var dir = s.PathOf("logs");
            s.WriteVassal("ticker.ini", VassalFile.Command(Ticker("0.05")));
            var emperor = await s.StartEmperorAsync("--emperor-log-dir", dir, "--emperor-log-format", "json", "--emperor-log-maxsize", "1073741824");
            var tickerLog = Path.Combine(dir, "ticker.ini.log");
            await Wait.UntilAsync(() => File.Exists(tickerLog), s_deadline, "the ticker's first line", Cancel);

            s.WriteVassal("flood.ini", VassalFile.Command("head -c 100000000 /dev/zero | tr '\\0' x | fold -w 99; echo flood-done >&2; exec sleep 100000"));
            var floodLog = Path.Combine(dir, "flood.ini.log");

            // Every line of the flood is either in the file or counted in a "dropped" line: nothing vanishes unsaid.
            // 1010101 full lines of 99 x and "flood-done" (the last single x waits for its newline or EOF in the ring);
            // "flood-done" itself may be among the dropped. Until then, the stats socket must keep answering.
            const long Printed = (100_000_000 / 99) + 1;
            var written = 0L;
            var position = 0L;
            var buffer = new byte[1 << 20];
            var answered = 0;
            var duringFlood = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (written + Dropped(emperor, "flood.ini") < Printed)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"after 120 s: {written} lines written, {Dropped(emperor, "flood.ini")} dropped of {Printed}{emperor.Tail()}");
                }

                var stats = await emperor.StatsAsync(Cancel); // its own 5 s timeout: a stats socket stuck behind the flood fails here
                answered++;
                if (File.Exists(floodLog))
                {
                    using var file = new FileStream(floodLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    file.Position = position;
                    int n;
                    while ((n = file.Read(buffer)) > 0)
                    {
                        written += buffer.AsSpan(0, n).Count((byte)'\n');
                        position += n;
                    }

                    if (written > 0 && written + Dropped(emperor, "flood.ini") < Printed && stats.Vassals.Any(v => v.Id == "flood.ini" && v.Pid > 0))
                    {
                        duringFlood++;
                    }
                }

                await Task.Delay(100, Cancel);
            }

            Assert.Equal(Printed, written + Dropped(emperor, "flood.ini"));
            Assert.Equal(0, Dropped(emperor, "ticker.ini")); // a quiet vassal keeps its share of the writer's queue
            var (start, end) = (Parse(File.ReadLines(floodLog).First()).Time, Parse(File.ReadLines(floodLog).Last()).Time);
            var ticks = File.ReadLines(tickerLog).Select(Parse).ToList();
            var numbers = ticks.Select(t => int.Parse(t.Line["tick ".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(1, numbers.Count), numbers); // the ticker lost nothing
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"flood: {written} lines written, {Dropped(emperor, "flood.ini")} dropped, read in {(end - start).TotalMilliseconds:0} ms; {answered} stats answers ({duringFlood} during the flood); " +
                $"{ticks.Count(t => t.Time >= start && t.Time <= end)} ticker lines read meanwhile");
            Assert.True(duringFlood >= 1, "the stats socket answered while the flood was being read");
            if ((end - start).TotalSeconds > 1)
            {
                Assert.Contains(ticks, t => t.Time > start && t.Time < end); // the ticker was read during the flood, not after it
            }
        }, TestContext.Current.CancellationToken);

    /// <summary>Prints "tick 1", "tick 2", ... every <paramref name="seconds"/> (no $ or %: the config language would expand them).</summary>
    private static string Ticker(string seconds) =>
        $"exec awk 'BEGIN {{ for (i = 1; ; i++) {{ print \"tick \" i; fflush(); system(\"sleep {seconds}\") }} }}'";

    private static long Dropped(EmperorProcess emperor, string vassal) =>
        emperor.LinesContaining($"vassal {vassal}: dropped ").Sum(l => long.Parse(l.Text.Split("dropped ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    private static (DateTimeOffset Time, string Line) Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return (doc.RootElement.GetProperty("time").GetDateTimeOffset(), doc.RootElement.GetProperty("line").GetString()!);
    }

    /// <summary>A vassal file's own logto + log-maxsize under the Emperor (docs/logs.md): its lines go to its file, rotated,
    /// not to the Emperor's streams; stopping the Emperor leaves no rotator behind (the scenario's guard checks).</summary>
    [Fact(Timeout = 60_000)]
    public Task AVassalsOwnLogtoWithLogMaxsize_WritesAndRotatesItsFile_NotTheEmperorsStreams_AndLeavesNothingAtStop() =>
        EmperorScenario.RunAsync("logto-own", async s =>
        {
            var log = s.PathOf("own.log");
            s.WriteVassal("own.ini", VassalFile.Command(
                "i=0; while :; do echo \"own line $i\"; i=$((i+1)); sleep 0.01; done",
                $"logto = {log}",
                "log-maxsize = 2000",
                $"log-backupname = {log}.old"));
            var emperor = await s.StartEmperorAsync();
            await Wait.UntilAsync(() => File.Exists(log + ".old") && File.Exists(log) && File.ReadAllText(log).Contains("own line", StringComparison.Ordinal), s_deadline, "own.log to be rotated once and written again", Cancel);
            Assert.Contains("triggering rotation to " + log + ".old...", File.ReadAllLines(log + ".old")[^1], StringComparison.Ordinal);
            Assert.DoesNotContain(emperor.Lines, l => l.Text.Contains("own line", StringComparison.Ordinal));
            Assert.Equal(0, await emperor.StopAsync(s_deadline, Cancel));
        }, TestContext.Current.CancellationToken);
}
