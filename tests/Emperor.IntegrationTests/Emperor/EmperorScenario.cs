using System.Globalization;
using System.Runtime.ExceptionServices;
using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// One black-box test: a temp folder with a vassal directory, a <see cref="LeakGuard"/>, the Emperors it
/// starts, and a clean-up that cannot be skipped and checks what was left behind.
/// </summary>
/// <remarks>
/// Use it through <see cref="RunAsync"/>, which runs the body and then, whatever happened:
/// <list type="number">
/// <item>for every Emperor still running: waits (3 s) for it to have no zombie child, sends SIGTERM
/// (Ragnarok; every Emperor gets <c>--reload-mercy 3</c> unless the test sets it) and waits for it to exit
/// with code 0, else SIGKILLs it;</item>
/// <item>waits (5 s) until no process carrying the test's token is left, then lets the guard SIGKILL and
/// report anything still there, and check this process's own zombies;</item>
/// <item>writes every Emperor's output to the test output and deletes the folder.</item>
/// </list>
/// A failure of the body is rethrown as it is; problems found by the clean-up are added to it (or thrown on
/// their own when the body passed), so a leak is never hidden and never hides the first failure.
/// </remarks>
internal sealed class EmperorScenario
{
    /// <summary>Deadline for things the Emperor should do at once (spawn, stop a cooperative vassal, answer).</summary>
    public static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for things that take a few timed steps (tolerances, throttles, blacklists).</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(15);

    private readonly List<EmperorProcess> _emperors = [];
    private int _temp;

    private EmperorScenario(string purpose, CancellationToken cancel)
    {
        Root = new TempDir(purpose);
        VassalDir = Directory.CreateDirectory(Root.Combine("vassals")).FullName;
        Guard = new LeakGuard();
        Cancel = cancel;
    }

    public TempDir Root { get; }

    /// <summary>The directory the default Emperor watches (<c>--emperor DIR</c>).</summary>
    public string VassalDir { get; }

    public LeakGuard Guard { get; }

    public CancellationToken Cancel { get; }

    /// <summary>The Emperor started last.</summary>
    public EmperorProcess Emperor => _emperors.Count > 0 ? _emperors[^1] : throw new InvalidOperationException("No Emperor started yet.");

    /// <summary>Runs <paramref name="body"/> in a fresh scenario, then cleans up and checks (see the remarks).</summary>
    /// <param name="purpose">A word for the temp folder's name.</param>
    /// <param name="body">The test.</param>
    /// <param name="cancel">The test's token (TestContext.Current.CancellationToken), for its timeout.</param>
    public static async Task RunAsync(string purpose, Func<EmperorScenario, Task> body, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(body);
        var scenario = new EmperorScenario(purpose, cancel);
        ExceptionDispatchInfo? failure = null;
        try
        {
            await body(scenario);
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        var problems = await scenario.CleanUpAsync();
        if (failure is not null && problems.Count > 0)
        {
            throw new AggregateException(
                "The test failed, and its clean-up found problems too.",
                failure.SourceException,
                new LeakException(string.Join("\n", problems)));
        }

        failure?.Throw();
        if (problems.Count > 0)
        {
            throw new LeakException("The test passed, but its clean-up found problems:\n" + string.Join("\n", problems));
        }
    }

    /// <summary>
    /// Starts an Emperor on <see cref="VassalDir"/> with a stats socket on a free port, <c>--reload-mercy 3</c>,
    /// and <paramref name="extraArguments"/> (later occurrences win, so tests may override the defaults).
    /// </summary>
    public Task<EmperorProcess> StartEmperorAsync(params string[] extraArguments) =>
        StartEmperorWithAsync(["--emperor", VassalDir, .. extraArguments]);

    /// <summary>Starts an Emperor with exactly these sources/options plus the stats socket and default mercy.</summary>
    public async Task<EmperorProcess> StartEmperorWithAsync(
        IReadOnlyList<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? workingDirectory = null,
        string? runAsUser = null,
        IReadOnlyList<string>? wrapper = null)
    {
        var port = FreePort.Tcp();
        string[] all = ["--emperor-stats", $"127.0.0.1:{port}", "--reload-mercy", "3", .. arguments];
        var emperor = await EmperorProcess.StartAsync(Guard, all, workingDirectory ?? Root.Path, port, environment, Cancel, runAsUser, wrapper: wrapper);
        _emperors.Add(emperor);
        return emperor;
    }

    /// <summary>A path inside the test's folder.</summary>
    public string PathOf(string relative) => Root.Combine(relative);

    /// <summary>A vassal file's path in <see cref="VassalDir"/>.</summary>
    public string VassalPath(string name) => Path.Combine(VassalDir, name);

    /// <summary>Writes a vassal file atomically (a temp file that is no vassal name, then rename) and returns its path.</summary>
    public string WriteVassal(string name, string contents, string? directory = null)
    {
        var path = Path.Combine(directory ?? VassalDir, name);
        WriteAtomically(path, contents);
        return path;
    }

    /// <summary>Writes <paramref name="path"/> by temp file + rename(2), as careful editors and deploy tools do.</summary>
    public void WriteAtomically(string path, string contents)
    {
        var temp = Path.Combine(
            Path.GetDirectoryName(path)!,
            "." + Path.GetFileName(path) + ".tmp" + Interlocked.Increment(ref _temp).ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Sets the file's mtime to now, or 1 ms past its current mtime if that is not earlier (so every touch is a
    /// change, however fast they come), and returns the new mtime.
    /// </summary>
    public static DateTime Touch(string path)
    {
        var now = DateTime.UtcNow;
        var current = File.GetLastWriteTimeUtc(path);
        var next = now > current ? now : current.AddMilliseconds(1);
        File.SetLastWriteTimeUtc(path, next);
        return next;
    }

    private async Task<List<string>> CleanUpAsync()
    {
        var problems = new List<string>();
        foreach (var emperor in Enumerable.Reverse(_emperors))
        {
            try
            {
                await StopEmperorAsync(emperor, problems);
            }
            catch (Exception e)
            {
                problems.Add($"stopping the Emperor (pid {emperor.Pid}) failed: {e}");
            }
        }

        try
        {
            await Wait.UntilAsync(() => Guard.FindTagged().Count == 0, TimeSpan.FromSeconds(5), "no process of the test to be left", CancellationToken.None);
        }
        catch (TimeoutException)
        {
            problems.Add("processes of the test still running 5 s after every Emperor exited (the guard SIGKILLs them):"
                + string.Concat(Guard.FindTagged().Select(pid => "\n  " + ProcessTree.Describe(pid))));
        }

        try
        {
            await Guard.DisposeAsync();
        }
        catch (LeakException e)
        {
            problems.Add(e.Message);
        }

        foreach (var emperor in _emperors)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"--- Emperor pid {emperor.Pid}: {string.Join(' ', emperor.Arguments)}\n{emperor.FullLog()}");
            emperor.Dispose();
        }

        Root.Dispose();
        return problems;
    }

    private static async Task StopEmperorAsync(EmperorProcess emperor, List<string> problems)
    {
        if (emperor.HasExited)
        {
            return;
        }

        try
        {
            await Wait.UntilAsync(() => ProcessTree.ZombieChildren(emperor.Pid).Count == 0, TimeSpan.FromSeconds(3), "no zombie child of the Emperor", CancellationToken.None);
        }
        catch (TimeoutException)
        {
            problems.Add($"zombie children of the Emperor (pid {emperor.Pid}) never reaped:"
                + string.Concat(ProcessTree.ZombieChildren(emperor.Pid).Select(pid => "\n  " + ProcessTree.Describe(pid))));
        }

        var mark = emperor.Mark();
        _ = emperor.Signal(15);
        try
        {
            await emperor.WaitForExitAsync(TimeSpan.FromSeconds(12), CancellationToken.None);
            if (emperor.ExitCode != 0)
            {
                problems.Add($"the Emperor (pid {emperor.Pid}) exited with code {emperor.ExitCode} after SIGTERM (expected 0)");
            }
        }
        catch (TimeoutException)
        {
            problems.Add($"the Emperor (pid {emperor.Pid}) did not exit within 12 s of SIGTERM; SIGKILLing it. Its output since:"
                + string.Concat(emperor.Lines.Skip(mark).Select(l => "\n  " + l)));
            emperor.Kill();
        }
    }
}
