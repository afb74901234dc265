using Emperor.Testing;
namespace Emperor.IntegrationTests;

/// <summary>
/// One folder of ConfigCorpus/: the config files, plus control files that are not copied:
/// <c>args</c> (one command-line argument per line), <c>env</c> (KEY=VALUE lines; <c>{tmp}</c> is the run
/// folder), <c>links</c> (LINK TARGET lines, symbolic links to create), and for a deliberate difference from uWSGI
/// <c>difference</c> (the reason, as in docs/config-differences.md) with <c>expected</c> (our normalised block;
/// empty when no block is printed) and optionally <c>no-uwsgi</c> (uWSGI is not run: it would crash or loop), and
/// <c>stdin</c>: what both binaries read on standard input (a config named <c>-</c>); without it stdin is /dev/null.
/// </summary>
internal sealed record CorpusCase(
    string Name,
    string Directory,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<(string Link, string Target)> Links,
    string? Difference,
    string? Expected,
    bool RunUwsgi,
    string? StandardInputFile)
{
    public static readonly string[] ControlFiles = ["args", "env", "links", "difference", "expected", "no-uwsgi", "stdin"];

    public static string CorpusDirectory => Path.Combine(TestPaths.RepoRoot, "tests", "Emperor.IntegrationTests", "ConfigCorpus");

    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetDirectories(CorpusDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static CorpusCase Load(string name)
    {
        var dir = Path.Combine(CorpusDirectory, name);
        string? Read(string file) => File.Exists(Path.Combine(dir, file)) ? File.ReadAllText(Path.Combine(dir, file)) : null;
        static IEnumerable<string> Lines(string? text) =>
            (text ?? string.Empty).Split('\n').Where(l => l.Length > 0);
        var args = Lines(Read("args")).ToList();
        var env = Lines(Read("env")).Select(l => l.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : string.Empty)).ToList();
        var links = Lines(Read("links")).Select(l => l.Split(' ', 2)).Select(p => (p[0], p[1])).ToList();
        return new CorpusCase(name, dir, args, env, links, Read("difference")?.Trim(), Read("expected"), !File.Exists(Path.Combine(dir, "no-uwsgi")),
            File.Exists(Path.Combine(dir, "stdin")) ? Path.Combine(dir, "stdin") : null);
    }
}
