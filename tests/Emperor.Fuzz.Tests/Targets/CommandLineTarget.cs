using System.Text;
using Emperor.Core.Config.Options;
using Emperor.Fuzz.Tests.Harness;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The getopt_long-style command-line parser; input lines are the arguments, a first line "POSIXLY_CORRECT" turns
/// permutation off. Checks: every file is an argument as given, every option a name of the option table, every
/// index and diagnostic position points at an argument.
/// </summary>
internal sealed class CommandLineTarget : IFuzzTarget
{
    public string Name => "command-line";

    public IEnumerable<byte[]> Seeds =>
    [
        ConfigChecks.Utf8("-M\n-p\n4\n-s:3031\n--ini\na.ini\n--show-config\n--\n--not-an-option\n"),
        ConfigChecks.Utf8("POSIXLY_CORRECT\n--set\nx=1\nfile.ini\n--master\n"),
        ConfigChecks.Utf8("--so\n--sock=:1\n--master=1\n--processes\n-\n--=x\n-Mp\n--http-socket\n"),
    ];

    public IReadOnlyList<string> Dictionary => ["\n--", "\n-", "=", "\n--ini\n", "\n--set\n", "\n--master", "\n--socket", "\n-s", "\n-M", "\n--\n", "\nPOSIXLY_CORRECT\n", "\n-p\n"];

    public bool UsesRepositoryFile(string path) => path.EndsWith("/args", StringComparison.Ordinal);

    public string Run(byte[] input)
    {
        var args = ConfigChecks.Text(input).Split('\n').ToList();
        var posixly = args.Count > 0 && args[0] == "POSIXLY_CORRECT";
        if (posixly)
        {
            args.RemoveAt(0);
        }

        var result = CommandLineParser.Parse(args, posixly);
        var sb = new StringBuilder();
        foreach (var file in result.Files)
        {
            Invariant.That(file.ArgumentIndex >= 0 && file.ArgumentIndex < args.Count && args[file.ArgumentIndex] == file.Name, $"file '{file.Name}' is not argument {file.ArgumentIndex}");
            sb.Append("file ").Append(file.Name).Append('\n');
        }

        foreach (var option in result.Options)
        {
            Invariant.That(option.ArgumentIndex >= 0 && option.ArgumentIndex < args.Count, $"option index {option.ArgumentIndex}");
            Invariant.That(UwsgiOptionTable.Find(option.Name) is not null, $"option '{option.Name}' is not in the table");
            sb.Append(option.Name).Append('=').Append(option.Value).Append('\n');
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            Invariant.OneLine(diagnostic.Message, "diagnostic");
            Invariant.That(diagnostic.Location.Column >= 1 && diagnostic.Location.Column <= args.Count, $"diagnostic at argument {diagnostic.Location.Column} of {args.Count}");
            sb.Append(diagnostic).Append('\n');
        }

        return sb.ToString();
    }
}
