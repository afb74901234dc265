using System.Diagnostics;
using System.Text;
using CsCheck;
using Emperor.Core.Config;

namespace Emperor.Core.Tests.Config;

/// <summary>Random and mutated inputs in every format: the loader never throws, finishes quickly, and always
/// returns something (options or diagnostics).</summary>
public sealed class ConfigFuzzTests
{
    private static readonly string[] s_seeds =
    [
        "[uwsgi]\nsocket = /run/%n.sock\nfor = a b\nx = %(_)\nendfor\nc = %(processes + 2)\nprocesses = 4\ne = $(HOME)\ninclude = b.ini\n",
        "<uwsgi id=\"a\">\n<socket>:1</socket><master/><![CDATA[x]]><app mountpoint=\"/\">a</app></uwsgi>\n",
        "uwsgi:\n  socket: :1\n  env:\n    - A=1\n  flow: [a, {b: c}]\n  lit: |\n    x\n  q: \"a\\tb\"\n",
        "{\"uwsgi\": {\"socket\": \":1\", \"a\": [1, true, null, \"x\"], \"o\": {\"p\": 1.5}}}\n",
    ];

    private static readonly string[] s_names = ["a.ini", "a.xml", "a.yaml", "a.json"];

    private static readonly Gen<string> s_text = Gen.OneOf(
        Gen.String[0, 300],
        Gen.Char["[]{}<>:=%$@()\"'#;-|>!&* \t\r\nuwsgiab1/"].Array[0, 300].Select(c => new string(c)));

    [Fact]
    public void Load_RandomText_NeverThrowsAndTerminates()
    {
        Gen.Int[0, 3].Select(s_text).Sample((format, text) => Check(Encoding.UTF8.GetBytes(text), format), iter: 1500);
    }

    [Fact]
    public void Load_RandomBytes_NeverThrowsAndTerminates()
    {
        Gen.Int[0, 3].Select(Gen.Byte.Array[0, 400]).Sample((format, bytes) => Check(bytes, format), iter: 1500);
    }

    [Fact]
    public void Load_MutatedValidFiles_NeverThrowAndTerminate()
    {
        var mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Int[0, 2], Gen.Byte);
        Gen.Int[0, 3].Select(mutation.Array[1, 8]).Sample((format, mutations) =>
        {
            var bytes = Encoding.UTF8.GetBytes(s_seeds[format]).ToList();
            foreach (var (kind, position, _, value) in mutations)
            {
                var at = bytes.Count == 0 ? 0 : position % bytes.Count;
                switch (kind)
                {
                    case 0 when bytes.Count > 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, value);
                        break;
                    default:
                        if (bytes.Count > 0)
                        {
                            bytes[at] = value;
                        }

                        break;
                }
            }

            Check([.. bytes], format);
        }, iter: 2000);
    }

    [Fact]
    public void Load_RandomArguments_NeverThrow()
    {
        var arg = Gen.OneOf(Gen.Const("--ini"), Gen.Const("--set"), Gen.Const("-s"), Gen.Const("--"), Gen.Const("a.ini"), Gen.Const("--for-times"), Gen.Const("10"), Gen.String[0, 12]);
        arg.Array[0, 12].Sample(args =>
        {
            var host = new FakeConfigHost().File("a.ini", s_seeds[0]).File("b.ini", "[uwsgi]\ninclude = a.ini\n");
            var result = ConfigLoader.Load(args, host);
            Assert.NotNull(result);
        }, iter: 1500);
    }

    private static void Check(byte[] bytes, int format)
    {
        var host = new FakeConfigHost().File(s_names[format], bytes).File("b.ini", "[uwsgi]\ninclude = " + s_names[format] + "\n");
        var stopwatch = Stopwatch.StartNew();
        var result = ConfigLoader.Load(["--show-config", s_names[format]], host);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.True(result.Options.Count > 0 || result.Diagnostics.Count > 0);
        Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
    }
}
