using System.Globalization;
using System.Text.RegularExpressions;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>
/// examples/vassals/aspnet.ini under a real Emperor: the vassal role binds a port below 1024 as root, drops to
/// nobody and execs the ASP.NET Core app (examples/apps/AspNetHello, built with this project), which serves
/// on the passed socket.
/// </summary>
public sealed partial class AspNetExampleTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task AspNetExample_ServesOnAPrivilegedPortAsNobody()
    {
        var cancel = TestContext.Current.CancellationToken;
        var build = Path.Combine(TestPaths.RepoRoot, ".build", "bin", "AspNetHello", "debug");
        Assert.True(
            File.Exists(Path.Combine(build, "AspNetHello.dll")),
            $"the example app is not built in {build}; run `dotnet build examples/apps/AspNetHello` (building this test project does it too)");
        using var box = new Sandbox("aspnet");
        var vassals = Directory.CreateDirectory(box.Combine("vassals")).FullName;
        var port = Ports.FreePrivileged();
        var example = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "vassals", "aspnet.ini"));
        var config = ChdirLine().Replace(HttpSocketLine().Replace(example, $"http-socket = 127.0.0.1:{port}"), $"chdir = {build}");
        Assert.NotEqual(example, config);
        File.WriteAllText(Path.Combine(vassals, "aspnet.ini"), config);
        await using var guard = new LeakGuard();
        await using var emperor = await EmperorProcess.StartWithStatsAsync(guard, ["--emperor", vassals], "/", cancel);

        // The role listens before it execs the app, so a request waits in the backlog until Kestrel serves it.
        await Wait.UntilAsync(() => Ports.Listener(Ports.Inet, port) is not null || emperor.HasExited, Deadlines.Emperor, $"port {port} to listen", cancel);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(30) };
        var whoami = await http.GetStringAsync(new Uri("whoami", UriKind.Relative), cancel);
        var hello = await http.GetStringAsync(new Uri("/", UriKind.Relative), cancel);

        Assert.Equal("Uid:\t65534\t65534\t65534\t65534\n", whoami);
        Assert.StartsWith("hello from ASP.NET Core, vassal aspnet, pid ", hello, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^http-socket = .*$", RegexOptions.Multiline)]
    private static partial Regex HttpSocketLine();

    [GeneratedRegex(@"^chdir = .*$", RegexOptions.Multiline)]
    private static partial Regex ChdirLine();
}
