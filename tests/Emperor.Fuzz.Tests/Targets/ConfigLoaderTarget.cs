using System.Text;
using Emperor.Core.Config;
using Emperor.Core.Tests.Config;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The whole loader (formats, includes, logic, placeholders, magic variables, @/$ passes) on one fuzzed file in an
/// in-memory host that also has a few other files, environment variables and commands to reach. The first byte
/// picks the file's format and how it is named on the command line; the rest is the file.
/// </summary>
internal sealed class ConfigLoaderTarget : IFuzzTarget
{
    private static readonly string[] s_names = ["app.ini", "app.xml", "app.yaml", "app.json", "app.ini"];

    /// <summary>Tighter than the defaults so that runaway inputs hit a limit fast (the limits are what is tested).</summary>
    private static readonly ConfigLimits s_limits = new()
    {
        MaxFileBytes = 1024 * 1024,
        MaxOptions = 5000,
        MaxIncludeDepth = 12,
        MaxExpansionsPerValue = 2000,
        MaxValueLength = 256 * 1024,
    };

    public string Name => "loader";

    public IEnumerable<byte[]> Seeds =>
    [
        Seed(0, "[uwsgi]\nsocket = /run/%n.sock\nfor = a b\nx = %(_)\nendfor\nc = %(processes + 2)\nprocesses = 4\ne = $(HOME)\ninclude = b.ini\n"),
        Seed(0, "[uwsgi]\nset-ph = p=%d%n.%e %p %s %c %u %g %U %G %h %o %O %x %X %i %j %V %k %0 %9 %[ %*\nif-env = HOME\nh = $(HOME)\nendif =\nif-not-exists = /nope\nm = @(exec://echo hi)\nendif\nn = @(common.ini)\nfor-times = 3\nt = %(_)\nendfor\n"),
        Seed(0, "[uwsgi]\nfor-readline = common.ini\nl = %(_)\nendfor\nfor-glob = *.ini\ng = %(_)\nendfor\nif-opt = socket\ns = 1\nendif\ninherit = common.ini\nini = common.ini:other\nvassal = %(vassal_name)\nc = %(a b + 1 * 3 / 0 ++ --)\n"),
        Seed(1, "<uwsgi id=\"a\">\n<socket>:1</socket><master/><include>common.ini</include><for>a b</for><x>%(_)</x><endfor/></uwsgi>\n"),
        Seed(2, "uwsgi:\n  socket: :1\n  env:\n    - A=1\n  include: common.ini\n  lit: |\n    x %n\n"),
        Seed(3, "{\"uwsgi\": {\"socket\": \":1\", \"a\": [1, true, null, \"x\"], \"json\": \"common.json\", \"o\": {\"p\": 1.5}}}\n"),
        Seed(4, "[uwsgi]\ninclude = app.ini\ninclude = b.ini\n"),
    ];

    public IReadOnlyList<string> Dictionary =>
    [
        "for = a b c\n", "if-exists = common.ini\n", "if-env = HOME\n", "[uwsgi]\n", "%(", "$(", "@(", ")", "%n", "%d", "%p", "%k", "%%", "%_",
        "endfor\n", "endif\n", "include = common.ini\n", "include = app.ini\n", "inherit = b.ini\n", "for-times = 99\n", "for-readline = common.ini\n",
        "set-ph = x=%(x)%(x)\n", "set-placeholder = ", "exec://echo hi", "emperor://x", "@(common.ini)", " + ", " * ", " / ", " ++", " --", "%(_)",
        "ini = common.ini:other\n", "yaml = common.yaml\n", "json = common.json\n", "xml = common.xml\n", "if-opt = socket=:1\n", "if-not-reload\n", "\n", "=",
        "fuzz: ", "<uwsgi>", "{\"uwsgi\": {", "strict\n", "show-config\n",
    ];

    public bool UsesRepositoryFile(string path) => ConfigChecks.IsConfig(path, ".ini", ".xml", ".yaml", ".yml", ".json", ".js");

    public string Run(byte[] input)
    {
        var selector = input.Length == 0 ? 0 : input[0];
        var content = input.Length == 0 ? [] : input[1..];
        var name = s_names[selector % s_names.Length];
        var argument = (selector / s_names.Length % 4) switch
        {
            1 => name + ":uwsgi",
            2 => name + ":other",
            3 => name + ":",
            _ => name,
        };
        var host = new FakeConfigHost()
            .File(name, content)
            .File("b.ini", "[uwsgi]\ninclude = " + name + "\nb = %(socket)\n")
            .File("common.ini", "[uwsgi]\nprocesses = 2\nsocket = :9\n[other]\nmore = %(processes)\n")
            .File("common.json", "{\"uwsgi\": {\"j\": \"%n\"}}")
            .File("common.yaml", "uwsgi:\n  y: $(HOME)\n")
            .File("common.xml", "<uwsgi><x>@(common.ini)</x></uwsgi>")
            .Link("link.ini", "common.ini")
            .Env("HOME", "/home/www")
            .Env("UWSGI_MASTER", "1")
            .Command("echo hi", "hi\n");
        string[] args = selector % s_names.Length == 4 ? ["--show-config", "--ini", "b.ini"] : ["--show-config", argument];
        var result = ConfigLoader.Load(args, host, s_limits);
        Invariant.That(result.Options.Count > 0 || result.Diagnostics.Count > 0, "no options and no diagnostics");
        Invariant.That(result.Options.Count <= s_limits.MaxOptions + 16, $"{result.Options.Count} options, above the limit of {s_limits.MaxOptions}");
        var sb = new StringBuilder();
        foreach (var option in result.Options)
        {
            Invariant.That(option.Key is not null, "an option without a key");
            sb.Append(option.Key).Append('=').Append(option.Value).Append('\n');
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            Invariant.OneLine(diagnostic.Message, "diagnostic " + diagnostic.Code);
            Invariant.That(diagnostic.Location.Source.Length > 0 && diagnostic.Location.Line >= 1 && diagnostic.Location.Column >= 1, $"diagnostic {diagnostic.Code} at {diagnostic.Location}");
            sb.Append(diagnostic).Append('\n');
        }

        return sb.Append(ShowConfigFormatter.Format(result.Options)).ToString();
    }

    private static byte[] Seed(byte selector, string text) => [selector, .. Encoding.UTF8.GetBytes(text)];
}
