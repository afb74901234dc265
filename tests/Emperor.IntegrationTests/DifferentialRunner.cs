using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Emperor.Testing;

namespace Emperor.IntegrationTests;

/// <summary>
/// Runs one corpus case with real uWSGI and with our emperor binary, in the same fresh folder, with the same
/// arguments and environment, and extracts and normalises both <c>--show-config</c> blocks.
/// uWSGI is made to stop right after printing the block by a leading <c>--clock emperor-corpus-stop</c>: the clock
/// is chosen right after show_config() (core/uwsgi.c), an unknown clock name makes uWSGI exit(1) there, before
/// it binds, forks or writes anything. Both binaries get the same extra option, so both blocks list it.
/// Normalised: the binary path (<c>%b</c>), the version (<c>%V</c>), start times (<c>%t</c>, <c>%T</c>) and the
/// run folder. Everything else must match byte for byte.
/// </summary>
internal static partial class DifferentialRunner
{
    public const string Uwsgi = "/usr/bin/uwsgi";
    private const string BlockStart = ";uWSGI instance configuration\n";
    private const string BlockEnd = ";end of configuration\n";
    private static readonly ConcurrentDictionary<string, Lazy<Task<DifferentialOutcome>>> s_cache = new(StringComparer.Ordinal);
    private static readonly Lazy<Task<string>> s_uwsgiVersion = new(async () =>
        (await ChildProcess.RunAsync(Uwsgi, ["--version"], Path.GetTempPath(), BaseEnvironment("/tmp"), TimeSpan.FromSeconds(30))).StandardOutput.Trim());

    public static Task<DifferentialOutcome> RunAsync(string name) =>
        s_cache.GetOrAdd(name, n => new Lazy<Task<DifferentialOutcome>>(() => RunCoreAsync(CorpusCase.Load(n)))).Value;

    private static async Task<DifferentialOutcome> RunCoreAsync(CorpusCase corpusCase)
    {
        if (!File.Exists(Uwsgi))
        {
            throw new InvalidOperationException($"{Uwsgi} is missing: install uWSGI (Debian package uwsgi-core) to run the differential test.");
        }

        var emperor = TestPaths.EmperorBinary;
        var version = await s_uwsgiVersion.Value;
        var tmp = Path.Combine(Path.GetTempPath(), "emperor-corpus-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            CopyDirectory(corpusCase.Directory, tmp);
            Directory.CreateDirectory(Path.Combine(tmp, "home"));
            foreach (var (link, target) in corpusCase.Links)
            {
                File.CreateSymbolicLink(Path.Combine(tmp, link), target);
            }

            var environment = BaseEnvironment(tmp);
            foreach (var (key, value) in corpusCase.Environment)
            {
                environment[key] = value.Replace("{tmp}", tmp, StringComparison.Ordinal);
            }

            string[] args = ["--clock", "emperor-corpus-stop", .. corpusCase.Args.Select(a => a.Replace("{tmp}", tmp, StringComparison.Ordinal))];
            var timeout = TimeSpan.FromSeconds(60);
            string? uwsgiBlock = null;
            if (corpusCase.RunUwsgi)
            {
                var uwsgi = await RunWithInputAsync(Uwsgi, args, corpusCase.StandardInputFile, tmp, environment, timeout);
                uwsgiBlock = Normalise(ExtractBlock(uwsgi.StandardError), tmp, version, "/usr/bin/uwsgi-core");
            }

            var ours = await RunWithInputAsync(emperor, args, corpusCase.StandardInputFile, tmp, environment, timeout);
            var emperorBlock = Normalise(ExtractBlock(ours.StandardError), tmp, version, emperor);
            return new DifferentialOutcome(corpusCase, uwsgiBlock, emperorBlock, ours.StandardError.Replace(tmp, "{tmp}", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>
    /// Runs the binary with standard input redirected from <paramref name="input"/> (or /dev/null): <c>/bin/sh</c>
    /// opens the file and execs the binary, so the binary itself sees a plain file on fd 0 and the same argv.
    /// </summary>
    private static Task<ProcessResult> RunWithInputAsync(
        string binary, string[] args, string? input, string tmp, Dictionary<string, string> environment, TimeSpan timeout) =>
        ChildProcess.RunAsync("/bin/sh", ["-c", "f=$1; shift; exec \"$@\" < \"$f\"", "sh", input ?? "/dev/null", binary, .. args], tmp, environment, timeout);

    private static Dictionary<string, string> BaseEnvironment(string tmp)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Path.Combine(tmp, "home"),
            ["LANG"] = "C.UTF-8",
        };
        foreach (var name in new[] { "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    private static string ExtractBlock(string stderr)
    {
        var start = stderr.IndexOf(BlockStart, StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        var end = stderr.IndexOf(BlockEnd, start, StringComparison.Ordinal);
        return end < 0 ? stderr[start..] : stderr[start..(end + BlockEnd.Length)];
    }

    private static string Normalise(string block, string tmp, string uwsgiVersion, string binary)
    {
        var text = block.Replace(binary, "{bin}", StringComparison.Ordinal)
            .Replace(tmp, "{tmp}", StringComparison.Ordinal)
            .Replace(uwsgiVersion, "{version}", StringComparison.Ordinal);
        text = OurVersion().Replace(text, "{version}");
        text = Microseconds().Replace(text, "{utime}");
        return Seconds().Replace(text, "{time}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            var name = Path.GetFileName(file);
            if (!CorpusCase.ControlFiles.Contains(name))
            {
                File.Copy(file, Path.Combine(to, name));
            }
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    [GeneratedRegex(@"emperor-[0-9][0-9A-Za-z.\-]*")]
    private static partial Regex OurVersion();

    [GeneratedRegex(@"\b1[0-9]{15}\b")]
    private static partial Regex Microseconds();

    [GeneratedRegex(@"\b1[0-9]{9}\b")]
    private static partial Regex Seconds();
}
