using Emperor.Testing;

namespace Emperor.IntegrationTests.Emperor;

/// <summary>
/// Vassal file texts for the Emperor's default vassal binary (its own vassal role), which runs
/// <c>unprivileged-binary-patch-arg</c> through <c>/bin/sh -c</c>. Every command starts with <c>exec</c>, so the
/// program keeps the vassal's pid (the pid the Emperor's stats show) and its PR_SET_PDEATHSIG.
/// </summary>
internal static class VassalFile
{
    /// <summary>An INI vassal running <paramref name="shellCommand"/>, plus any extra option lines.</summary>
    public static string Command(string shellCommand, params string[] extraLines) =>
        "[uwsgi]\n" + string.Concat(extraLines.Select(l => l + "\n")) + "unprivileged-binary-patch-arg = " + shellCommand + "\n";

    /// <summary>testvassal with these flags (absolute path; arguments shell-quoted).</summary>
    public static string TestVassal(params string[] arguments) =>
        Command("exec " + string.Join(' ', new[] { TestPaths.TestVassalBinary }.Concat(arguments).Select(Quote)));

    /// <summary>A foreign vassal that knows nothing of the Emperor: <c>sleep SECONDS</c> (a distinct number names it in ps).</summary>
    public static string Sleep(int seconds = 100000) => Command($"exec sleep {seconds}");

    /// <summary>Single-quotes an argument for sh when it needs it.</summary>
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or ',' or '=' or ':' or '@')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
