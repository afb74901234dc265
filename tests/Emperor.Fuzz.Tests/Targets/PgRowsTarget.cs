using System.Globalization;
using System.Text;
using Emperor.Core.Monitoring;
using Emperor.Fuzz.Tests.Harness;
using Emperor.Postgres;

namespace Emperor.Fuzz.Tests.Targets;

/// <summary>
/// The pg:// snapshot builder on fuzzed query results. Input: a flags byte (tyrant, column count, whether there is a
/// previous snapshot), then rows separated by 0x1E and fields (name, config, ts, uid, gid, socket) by 0x1F; a field
/// that is the single byte 0x00 is SQL NULL. Checks: never throws; a short query gives no entries; every entry is
/// from a row of that name or the previous snapshot; tyrant entries from rows never run as root; messages are one
/// line; and the result does not depend on the order of the rows (the builder promises that).
/// </summary>
internal sealed class PgRowsTarget : IFuzzTarget
{
    private const byte RowSeparator = 0x1E;
    private const byte FieldSeparator = 0x1F;
    private static readonly SnapshotRules s_plain = new(false, [".conf"], 512);
    private static readonly SnapshotRules s_tyrant = new(true, [], 512);

    public string Name => "pg-rows";

    public IEnumerable<byte[]> Seeds =>
    [
        Seed(0b0000_0110, ["a.ini", "[uwsgi]\nsocket = :1\n", "1700000000.5", "1000", "1000", ""], ["a.ini", "[uwsgi]\nx = 2\n", "1700000001", "0", "0", "/tmp/s"], ["b.xml", "<uwsgi/>", "2026-01-01 00:00:00+00", "", "", ""]),
        Seed(0b0001_0111, ["c.yaml", "uwsgi:\n  a: 1\n", "Infinity", "1", "x"], ["\0", "[uwsgi]\n", "", "1", "1"], ["d.json", "\0", "-Infinity", "2", "2"], ["e:f.ini", "x", "1e30", "3", "3"]),
        Seed(0b0000_1010, ["bad\u00ff.ini", "\u00ff\u00fe", "nan", "-1", "+1", "s"], ["", "", "", ""], ["x.conf", "[uwsgi]\n\0", "99999999999999999999999", "2147483648", "01"]),
    ];

    public IReadOnlyList<string> Dictionary => ["\u001e", "\u001f", ".ini", ".xml", ".yaml", ".json", "\0", "1700000000", ".999999999", "e9", "Infinity", "-", ":", "2026-02-30", "\n", "0", "\u00ff", "%"];

    public bool UsesRepositoryFile(string path) => false;

    public string Run(byte[] input)
    {
        var flags = input.Length == 0 ? 0 : input[0];
        var rules = (flags & 1) != 0 ? s_tyrant : s_plain;
        var fieldCount = ((flags >> 1) & 7) + 1;
        var rows = Rows(input.Length == 0 ? [] : input.AsSpan(1), fieldCount);
        Dictionary<string, SourceEntry>? previous = null;
        if ((flags & 0x10) != 0)
        {
            previous = new(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                if (row.Name is { } name && Encoding.UTF8.GetString(name) is var text)
                {
                    previous[text] = new SourceEntry(text, 42, 7, 7, "[uwsgi]\nprevious = 1\n");
                }
            }
        }

        var result = SnapshotBuilder.Build(rows, fieldCount, rules, previous);
        var broken = fieldCount < 3 || (rules.Tyrant && fieldCount < 5);
        Invariant.That((result.Entries is null) == broken, $"entries {(result.Entries is null ? "missing" : "present")} for a {fieldCount}-column result");
        foreach (var problem in result.Problems)
        {
            Invariant.OneLine(problem.Message, "problem " + problem.Key);
        }

        var rendering = Render(result);
        if (result.Entries is { } entries)
        {
            var rowNames = rows.Where(r => r.Name is not null).Select(r => Encoding.UTF8.GetString(r.Name!)).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, entry) in entries)
            {
                Invariant.That(entry.Name == name, $"entry '{entry.Name}' filed as '{name}'");
                var fromPrevious = previous is not null && previous.TryGetValue(name, out var last) && ReferenceEquals(last, entry);
                Invariant.That(fromPrevious || rowNames.Contains(name), $"entry '{name}' is neither a row nor a previous entry");
                Invariant.That(fromPrevious || !rules.Tyrant || (entry.Uid != 0 && entry.Gid != 0), $"tyrant entry '{name}' runs as uid {entry.Uid} gid {entry.Gid}");
                Invariant.That(fromPrevious || entry.InlineConfig is { Length: > 0 and <= 512 }, $"entry '{name}' has a config of {entry.InlineConfig?.Length} characters");
            }
        }

        var reversed = Render(SnapshotBuilder.Build([.. Enumerable.Reverse(rows)], fieldCount, rules, previous));
        Invariant.That(reversed == rendering, $"the result depends on the order of the rows:\n{rendering}\nreversed:\n{reversed}");
        return rendering;
    }

    /// <summary>Entries in name order and problem keys as a set: what must not depend on row order.</summary>
    private static string Render(SnapshotResult result)
    {
        var sb = new StringBuilder();
        foreach (var (name, e) in (result.Entries ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{name} {e.ModifiedNs} {e.Uid} {e.Gid} {e.InlineConfig?.GetHashCode(StringComparison.Ordinal)}\n");
        }

        foreach (var key in result.Problems.Select(p => p.Key).Order(StringComparer.Ordinal))
        {
            sb.Append(key).Append('\n');
        }

        return sb.ToString();
    }

    private static List<VassalRow> Rows(ReadOnlySpan<byte> data, int fieldCount)
    {
        var rows = new List<VassalRow>();
        if (data.Length == 0)
        {
            return rows;
        }

        foreach (var range in data.Split(RowSeparator))
        {
            var fields = new List<byte[]?>();
            foreach (var f in data[range].Split(FieldSeparator))
            {
                var field = data[range][f];
                fields.Add(field is [0] ? null : field.ToArray());
            }

            byte[]? Field(int i) => i < fields.Count && i < fieldCount ? fields[i] : null;
            string? Text(int i) => Field(i) is { } b ? Encoding.UTF8.GetString(b) : null;
            var config = Field(1);
            rows.Add(new VassalRow
            {
                Number = rows.Count + 1,
                Name = Field(0),
                Config = config,
                ConfigSize = config?.Length ?? 0,
                Ts = Text(2),
                Uid = Text(3),
                Gid = Text(4),
                Socket = Text(5),
            });
        }

        return rows;
    }

    private static byte[] Seed(byte flags, params string[][] rows) =>
        [flags, .. Encoding.Latin1.GetBytes(string.Join('\u001e', rows.Select(r => string.Join('\u001f', r))))];
}
