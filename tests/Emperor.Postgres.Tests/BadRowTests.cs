using System.Text;
using Emperor.Testing;

namespace Emperor.Postgres.Tests;

/// <summary>
/// Bad rows — NULL or empty name or config, bytes that are not UTF-8, a 10 MiB config, duplicate names, uid 0 in
/// tyrant mode — give one clear line each, and nothing else breaks. An existing uWSGI emperor_pg table (no trigger,
/// no status table) in a SQL_ASCII database (the only kind that can hold invalid UTF-8 in text) works unchanged.
/// </summary>
public sealed class BadRowTests(PostgresCluster cluster)
{
    private const string TyrantQuery = "SELECT name, config, EXTRACT(epoch FROM ts), uid, gid FROM vassals";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(15);

    [Fact(Timeout = 90_000)]
    public async Task EachBadRow_OneClearLine_OncePerVersion_TheGoodRowsRun()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await Fleet.CreateAsync(cluster, setup: false, encoding: "SQL_ASCII");
        await cluster.ExecuteAsync(fleet.Database, "CREATE TABLE vassals (name text, config text, ts timestamptz DEFAULT now(), uid integer, gid integer)");
        const string Insert = "INSERT INTO vassals (name, config, ts, uid, gid) VALUES ($1, $2, COALESCE($3::timestamptz, now()), $4, $5)";
        await fleet.ExecuteAsync(Insert, "good.ini", Fleet.SleepConfig("good"), null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, null, Fleet.SleepConfig("noname"), null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, "readme.txt", Fleet.SleepConfig("txt"), null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, "nullcfg.ini", null, null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, "empty.ini", "", null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, "dup.ini", Fleet.SleepConfig("dup-old"), "2020-01-01", 65534, 65534);
        await fleet.ExecuteAsync(Insert, "dup.ini", Fleet.SleepConfig("dup-new"), null, 65534, 65534);
        await fleet.ExecuteAsync(Insert, "root.ini", Fleet.SleepConfig("root"), null, 0, 0);
        await cluster.ExecuteAsync(fleet.Database, "INSERT INTO vassals (name, config, uid, gid) VALUES ('badutf8.ini', convert_from('\\x5b75777367695d0a3b20e9e90a'::bytea, 'SQL_ASCII'), 65534, 65534)");
        await cluster.ExecuteAsync(fleet.Database, "INSERT INTO vassals (name, config, uid, gid) VALUES ('huge.ini', '[uwsgi]' || chr(10) || repeat('; padding' || chr(10), 1048576), 65534, 65534)");

        var alpha = await fleet.StartEmperorAsync("alpha", TyrantQuery, "--emperor-tyrant");
        await alpha.WaitForRunningAsync("good.ini", s_deadline);
        var dup = await alpha.WaitForRunningAsync("dup.ini", s_deadline);

        // The vassal role sets the config's env just before it execs the program: wait for the exec.
        await Wait.UntilAsync(() => Environ(dup).Any(e => e.StartsWith("FLEET_TAG=", StringComparison.Ordinal)), s_deadline, "dup.ini's program to start", ct);
        Assert.Contains("FLEET_TAG=dup-new", Environ(dup));

        // Several resyncs later (no trigger on this table: the periodic ones), still one line per bad row.
        foreach (var late in new[] { "late1.ini", "late2.ini" })
        {
            await fleet.ExecuteAsync(Insert, late, Fleet.SleepConfig(late), null, 65534, 65534);
            await alpha.WaitForRunningAsync(late, s_deadline);
        }

        string[] expected =
        [
            "the name is NULL; skipped",
            "row \"readme.txt\": not a vassal name",
            "row \"nullcfg.ini\": the config is NULL; skipped",
            "row \"empty.ini\": the config is empty; skipped",
            "row \"badutf8.ini\": the config is not valid UTF-8 (first bad byte at offset 10); skipped",
            "row \"huge.ini\": the config is 10485768 bytes, larger than the 1048576-byte limit; skipped",
            "row \"dup.ini\": 2 rows have this name; using the one with the newest ts",
            "[emperor-tyrant] invalid permissions for vassal root.ini: uid 0, gid 0; tyrant mode never runs a vassal as root",
            "cannot write vassal states to emperor_status (42P01",
        ];
        var problems = new StringBuilder();
        foreach (var fragment in expected)
        {
            var count = alpha.Count(fragment);
            if (count != 1)
            {
                problems.Append($"\n  {count} lines with '{fragment}'");
            }
        }

        Assert.True(problems.Length == 0, $"expected exactly one line each:{problems}{alpha.Tail()}");
        Assert.Equal(expected.Length + 1, alpha.Count("[emperor-pg]")); // and the line saying how many vassals it found
        var running = await alpha.VassalsAsync();
        Assert.Equal(["dup.ini", "good.ini", "late1.ini", "late2.ini"], running.Keys.Order());
        Assert.True(running.Values.All(v => v.State == "running"));
        Assert.False(alpha.HasExited);
    }

    private static string[] Environ(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
}
