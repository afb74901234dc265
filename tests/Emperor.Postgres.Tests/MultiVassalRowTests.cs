using System.Text;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// A row whose config column holds a multi-vassal document (<c>[emperor] vassals = …</c>, docs/monitors.md): one vassal
/// per listed section, <c>NAME:SECTION</c>, each started as <c>--ini emperor://NAME:SECTION</c> with the whole document
/// pushed; an UPDATE reloads only the sections it changed; a section dropped from the list stops alone. Also where a
/// pg:// vassal runs: the Emperor's start-up directory (docs/monitors.md, "Working directory").
/// </summary>
public sealed class MultiVassalRowTests(PostgresCluster cluster)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    private static string Document(string vassals, string baseTag, string shopTag, string blogTag) => $"""
        [emperor]
        vassals = {vassals}

        [base]
        env = BASE_TAG={baseTag}
        env = SEEN_NAME=%a
        env = SEEN_CWD=%v
        unprivileged-binary-patch-arg = exec sleep 600

        [shop]
        ini = :base
        env = TAG={shopTag}

        [blog]
        ini = :base
        env = TAG={blogTag}

        """;

    [Fact(Timeout = 120_000)]
    public async Task MultiVassalRow_OneVassalPerSection_AnUpdateReloadsOnlyWhatItChanged_ADroppedSectionStopsAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster);
        var alpha = await fleet.StartEmperorAsync("alpha");
        await fleet.ExecuteAsync("INSERT INTO vassals (host, name, config) VALUES ('alpha', 'sites.ini', $1)", Document("shop blog", "b1", "s1", "g1"));

        var shop = await ProgramAsync(alpha, "sites.ini:shop", "s1", null, ct);
        var blog = await ProgramAsync(alpha, "sites.ini:blog", "g1", null, ct);
        Assert.Equal("sites.ini:shop", EnvironmentOf(shop, "SEEN_NAME"));
        Assert.Equal("b1", EnvironmentOf(blog, "BASE_TAG"));
        Assert.Equal(fleet.Dir.Path, CwdOf(shop));
        Assert.Equal(fleet.Dir.Path, EnvironmentOf(shop, "SEEN_CWD"));
        Assert.DoesNotContain("sites.ini", (await alpha.VassalsAsync()).Keys);
        await alpha.UntilAsync(
            async () => (await fleet.QueryAsync("SELECT name, pid FROM emperor_status WHERE host = 'alpha' ORDER BY name")) is [["sites.ini:blog", var b], ["sites.ini:shop", var s]]
                && b == blog.ToString(System.Globalization.CultureInfo.InvariantCulture) && s == shop.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s_deadline,
            "emperor_status to list both sections with their pids");

        // Only the shop's own section changes: the shop restarts (sleep does not speak the protocol), the blog stays.
        await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE name = 'sites.ini'", Document("shop blog", "b1", "s2", "g1"));
        var shop2 = await ProgramAsync(alpha, "sites.ini:shop", "s2", shop, ct);
        Assert.Equal(blog, (await alpha.VassalsAsync())["sites.ini:blog"].Pid);
        Assert.True(ProcessTree.IsRunning(blog));
        Assert.False(ProcessTree.IsRunning(shop));

        // [base], which both load, changes: both restart.
        await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE name = 'sites.ini'", Document("shop blog", "b2", "s2", "g1"));
        var shop3 = await ProgramAsync(alpha, "sites.ini:shop", "s2", shop2, ct);
        var blog2 = await ProgramAsync(alpha, "sites.ini:blog", "g1", blog, ct);
        Assert.Equal("b2", EnvironmentOf(shop3, "BASE_TAG"));
        Assert.Equal("b2", EnvironmentOf(blog2, "BASE_TAG"));

        // The blog leaves the list: it stops, the shop keeps running untouched.
        await fleet.ExecuteAsync("UPDATE vassals SET config = $1, ts = now() WHERE name = 'sites.ini'", Document("shop", "b2", "s2", "g1"));
        await alpha.WaitForGoneAsync("sites.ini:blog", s_deadline);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(blog2), s_deadline, "the blog's process to exit", ct);
        Assert.Equal(shop3, (await alpha.VassalsAsync())["sites.ini:shop"].Pid);

        // Deleting the row stops the rest.
        await fleet.ExecuteAsync("DELETE FROM vassals WHERE name = 'sites.ini'");
        await alpha.WaitForGoneAsync("sites.ini:shop", s_deadline);
        await Wait.UntilAsync(() => !ProcessTree.IsRunning(shop3), s_deadline, "the shop's process to exit", ct);
    }

    /// <summary>Waits for <paramref name="name"/> to run a pid other than <paramref name="not"/> that has exec'd sleep with TAG=<paramref name="tag"/>.</summary>
    private static async Task<int> ProgramAsync(EmperorHost emperor, string name, string tag, int? not, CancellationToken ct)
    {
        var pid = 0;
        await emperor.UntilAsync(
            async () =>
            {
                var vassals = await emperor.VassalsAsync();
                pid = vassals.TryGetValue(name, out var v) && v.State == "running" && v.Pid != not ? v.Pid : 0;
                return pid > 0 && EnvironmentOf(pid, "TAG") == tag;
            },
            s_deadline,
            $"{name} to run sleep with TAG={tag}");
        ct.ThrowIfCancellationRequested();
        return pid;
    }

    private static string? CwdOf(int pid) => new FileInfo($"/proc/{pid}/cwd").LinkTarget;

    private static string? EnvironmentOf(int pid, string name)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Split('\0')
                .FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
