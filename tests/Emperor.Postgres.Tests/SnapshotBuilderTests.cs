using System.Text;
using Emperor.Core.Monitoring;

namespace Emperor.Postgres.Tests;

/// <summary>Rows → vassals: every bad row is one problem for itself only (spec §2.5, §2.9, §9).</summary>
public sealed class SnapshotBuilderTests
{
    private static readonly SnapshotRules s_rules = new(Tyrant: false, ExtraExtensions: []);
    private static readonly SnapshotRules s_tyrant = new(Tyrant: true, ExtraExtensions: []);

    private static int s_number;

    private static VassalRow Row(string? name, string? config, string? ts = "1700000000.123456", string? uid = null, string? gid = null, string? socket = null) =>
        RawRow(name is null ? null : Encoding.UTF8.GetBytes(name), config is null ? null : Encoding.UTF8.GetBytes(config), ts, uid, gid, socket);

    private static VassalRow RawRow(byte[]? name, byte[]? config, string? ts = "1700000000.123456", string? uid = null, string? gid = null, string? socket = null) => new()
    {
        Number = Interlocked.Increment(ref s_number),
        Name = name,
        Config = config,
        ConfigSize = config?.Length ?? 0,
        Ts = ts,
        Uid = uid,
        Gid = gid,
        Socket = socket,
    };

    [Fact]
    public void GoodRow_BecomesAnInlineEntry_WithTsAtFullPrecision()
    {
        var result = SnapshotBuilder.Build([Row("app.ini", "[uwsgi]\n")], 3, s_rules, null);
        var entry = Assert.Single(result.Entries!).Value;
        Assert.Equal("app.ini", entry.Name);
        Assert.Equal("[uwsgi]\n", entry.InlineConfig);
        Assert.Null(entry.Path);
        Assert.Equal(1_700_000_000_123_456_000L, entry.ModifiedNs);
        Assert.Empty(result.Problems);
    }

    [Theory]
    [InlineData(null, 0L)]
    [InlineData("", 0L)]
    [InlineData("1700000000", 1_700_000_000_000_000_000L)]
    [InlineData("1700000000.5", 1_700_000_000_500_000_000L)]
    [InlineData("2023-11-14 22:13:20.25+00", 1_700_000_000_250_000_000L)]
    [InlineData("Infinity", long.MaxValue)]
    public void Ts_IsSecondsOrATimestamp(string? ts, long ns)
    {
        Assert.True(SnapshotBuilder.TryParseTs(ts, out var parsed));
        Assert.Equal(ns, parsed);
    }

    [Fact]
    public void EachBadRow_IsOneProblem_AndTheGoodRowsStillCount()
    {
        var rows = new[]
        {
            Row("good.ini", "[uwsgi]\n"),
            Row(null, "[uwsgi]\n"),
            Row("", "[uwsgi]\n"),
            Row("readme.txt", "[uwsgi]\n"),
            Row("a:b.ini", "[uwsgi]\n"),
            Row("null.ini", null),
            Row("empty.ini", ""),
            RawRow("latin1.ini"u8.ToArray(), [0x5B, 0xE9, 0x5D]),
            RawRow([0xFF, 0x2E, 0x69, 0x6E, 0x69], "[uwsgi]\n"u8.ToArray()),
            Row("ts.ini", "[uwsgi]\n", ts: "yesterday"),
            Row("nul.ini", "a\0b"),
            new VassalRow { Number = 99, Name = "huge.ini"u8.ToArray(), Config = null, ConfigSize = 10 * 1024 * 1024, Ts = "1" },
        };
        var result = SnapshotBuilder.Build(rows, 3, s_rules, null);
        Assert.Equal(["good.ini"], result.Entries!.Keys);
        Assert.Equal(rows.Length - 1, result.Problems.Count);
        Assert.Equal(result.Problems.Count, result.Problems.Select(p => p.Key).Distinct().Count());
        var text = string.Join('\n', result.Problems.Select(p => p.Message));
        Assert.Contains("the name is NULL; skipped", text, StringComparison.Ordinal);
        Assert.Contains("the name is empty; skipped", text, StringComparison.Ordinal);
        Assert.Contains("row \"readme.txt\": not a vassal name", text, StringComparison.Ordinal);
        Assert.Contains("row \"a:b.ini\": the name contains ':'", text, StringComparison.Ordinal);
        Assert.Contains("row \"null.ini\": the config is NULL; skipped", text, StringComparison.Ordinal);
        Assert.Contains("row \"empty.ini\": the config is empty; skipped", text, StringComparison.Ordinal);
        Assert.Contains("row \"latin1.ini\": the config is not valid UTF-8 (first bad byte at offset 1); skipped", text, StringComparison.Ordinal);
        Assert.Contains("the name is not valid UTF-8 (bytes FF2E696E69)", text, StringComparison.Ordinal);
        Assert.Contains("row \"ts.ini\": ts \"yesterday\" is neither", text, StringComparison.Ordinal);
        Assert.Contains("row \"nul.ini\": the config contains a NUL byte", text, StringComparison.Ordinal);
        Assert.Contains("row \"huge.ini\": the config is 10485760 bytes, larger than the 1048576-byte limit; skipped", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BadNewVersionOfARunningVassal_KeepsItsPreviousEntry_DeletingTheRowStillRemovesIt()
    {
        var first = SnapshotBuilder.Build([Row("app.ini", "v1")], 3, s_rules, null).Entries!;
        var broken = SnapshotBuilder.Build([Row("app.ini", null, ts: "1800000000")], 3, s_rules, first);
        Assert.Same(first["app.ini"], broken.Entries!["app.ini"]);
        Assert.Contains("row \"app.ini\": the config is NULL; the vassal keeps its previous config", Assert.Single(broken.Problems).Message, StringComparison.Ordinal);

        var deleted = SnapshotBuilder.Build([], 3, s_rules, broken.Entries);
        Assert.Empty(deleted.Entries!);
    }

    [Fact]
    public void DuplicateNames_TheNewestWins_WhateverTheRowOrder_OneProblem()
    {
        VassalRow[] rows = [Row("dup.ini", "old", ts: "100"), Row("dup.ini", "new", ts: "200"), Row("dup.ini", "older", ts: "50")];
        var forward = SnapshotBuilder.Build(rows, 3, s_rules, null);
        var backward = SnapshotBuilder.Build([.. rows.Reverse()], 3, s_rules, null);
        Assert.Equal("new", forward.Entries!["dup.ini"].InlineConfig);
        Assert.Equal("new", backward.Entries!["dup.ini"].InlineConfig);
        var problem = Assert.Single(forward.Problems);
        Assert.Contains("3 rows have this name; using the one with the newest ts (200)", problem.Message, StringComparison.Ordinal);
        Assert.Equal(problem.Key, Assert.Single(backward.Problems).Key);
    }

    [Fact]
    public void SameRowVersion_SameProblemKey_NewVersion_NewKey()
    {
        var a = SnapshotBuilder.Build([Row("x.ini", "")], 3, s_rules, null).Problems.Single().Key;
        var again = SnapshotBuilder.Build([Row("x.ini", "")], 3, s_rules, null).Problems.Single().Key;
        var changed = SnapshotBuilder.Build([Row("x.ini", "", ts: "2")], 3, s_rules, null).Problems.Single().Key;
        Assert.Equal(a, again);
        Assert.NotEqual(a, changed);
    }

    [Fact]
    public void Tyrant_RefusesUidOrGidZeroAndMissingIds_WithUwsgisPhrase()
    {
        var result = SnapshotBuilder.Build(
            [
                Row("ok.ini", "c", uid: "1000", gid: "1000"),
                Row("root.ini", "c", uid: "0", gid: "1000"),
                Row("rootgroup.ini", "c", uid: "1000", gid: "0"),
                Row("noid.ini", "c", uid: null, gid: "1000"),
                Row("neg.ini", "c", uid: "-5", gid: "1000"),
            ],
            5,
            s_tyrant,
            null);
        Assert.Equal(["ok.ini"], result.Entries!.Keys);
        Assert.Equal((1000, 1000), (result.Entries["ok.ini"].Uid, result.Entries["ok.ini"].Gid));
        var text = string.Join('\n', result.Problems.Select(p => p.Message));
        Assert.Contains("[emperor-tyrant] invalid permissions for vassal root.ini: uid 0, gid 1000; tyrant mode never runs a vassal as root", text, StringComparison.Ordinal);
        Assert.Contains("[emperor-tyrant] invalid permissions for vassal rootgroup.ini: uid 1000, gid 0", text, StringComparison.Ordinal);
        Assert.Contains("row \"noid.ini\": uid NULL is not a user id", text, StringComparison.Ordinal);
        Assert.Contains("row \"neg.ini\": uid \"-5\" is not a user id", text, StringComparison.Ordinal);
        Assert.Equal(4, result.Problems.Count);
    }

    [Fact]
    public void Tyrant_WithoutUidAndGidColumns_ChangesNothing()
    {
        var result = SnapshotBuilder.Build([Row("ok.ini", "c")], 3, s_tyrant, null);
        Assert.Null(result.Entries);
        Assert.Contains("tyrant mode needs the uid and gid columns", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooFewColumns_ChangesNothing_InsteadOfStoppingEverything()
    {
        var result = SnapshotBuilder.Build([], 2, s_rules, new Dictionary<string, SourceEntry>());
        Assert.Null(result.Entries);
        Assert.Contains("the query returns 2 column(s)", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SocketColumn_IsIgnoredWithANotice_AndEmptyMeansNone()
    {
        var result = SnapshotBuilder.Build([Row("od.ini", "c", socket: "/tmp/od.sock"), Row("plain.ini", "c", socket: "")], 6, s_rules, null);
        Assert.Equal(2, result.Entries!.Count);
        Assert.Contains("on-demand sockets are not supported", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraExtensions_AreVassalNames()
    {
        var result = SnapshotBuilder.Build([Row("app.conf", "c")], 3, new SnapshotRules(false, [".conf"]), null);
        Assert.True(result.Entries!.ContainsKey("app.conf"));
    }
}
