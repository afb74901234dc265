using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary><c>emperor --ini -</c>: the vassal role runs a config read from standard input, as uWSGI does (core/io.c).</summary>
public sealed class VassalStandardInputTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task IniFromStandardInput_RunsTheProgramItDescribes()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("stdin");
        await using var guard = new LeakGuard();
        var config = box.Dir.WriteFile("piped.conf", "[uwsgi]\n" + string.Concat(VassalRun.ReportingApp(box.Report).Append("env = FROM_STDIN=%o").Select(l => l + "\n")));
        await using var app = VassalRun.Start(guard, "-", wrapper: ["/bin/sh", "-c", $"exec \"$0\" \"$@\" < {config}"], arguments: ["--ini", "-"]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal("-", report.Environment.GetValueOrDefault("FROM_STDIN"));
    }
}
