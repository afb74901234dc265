using System.Globalization;
using System.Text;
using Emperor.Core.Monitoring;
using Emperor.Core.Vassals;

namespace Emperor.Postgres;

/// <summary>
/// Turns one result of the vassal query into the name → entry map the Emperor diffs (spec §2.5, §2.9), and says what
/// was wrong with every row it could not use. Pure: no database, no clock.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A bad row never spoils another: NULL or empty name or config, bytes that are not UTF-8, a config above the
/// limit, an unreadable ts, uid/gid missing or 0 in tyrant mode are each one problem for that row only.</item>
/// <item>A bad version of a row that was good before keeps the previous entry (the running vassal stays on its last
/// good config) instead of stopping the vassal: an UPDATE that breaks a config must not take a service down.
/// Deleting the row still stops it.</item>
/// <item>Several rows with one name (e.g. <c>WHERE host IN (me, '*')</c>): the newest ts wins, ties broken by the
/// config text, then uid and gid, so the choice does not depend on the order PostgreSQL returns rows in (uWSGI's
/// does, and flaps).</item>
/// <item>A config that is a multi-vassal document (an <c>[emperor]</c> section with <c>vassals = …</c>, see
/// <see cref="MultiVassalFile"/>) is one vassal per listed section, <c>NAME:SECTION</c>, each pushed the whole
/// document and started as <c>--ini emperor://NAME:SECTION</c>. A section whose own options (and those of the
/// sections it loads) are unchanged keeps its previous entry, stamp and pushed text included, so an UPDATE reloads
/// only the sections it changed.</item>
/// <item>The on-demand socket column is read and ignored (not supported here), with a notice.</item>
/// <item>A result with fewer than 3 columns, or fewer than 5 in tyrant mode, is a broken query, not an empty fleet:
/// the entries are null so that nothing is stopped (uWSGI skips every row and so stops every vassal).</item>
/// </list>
/// </remarks>
internal static class SnapshotBuilder
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SnapshotResult Build(
        IReadOnlyList<VassalRow> rows,
        int fieldCount,
        SnapshotRules rules,
        IReadOnlyDictionary<string, SourceEntry>? previous)
    {
        var problems = new List<RowProblem>();
        if (fieldCount < 3)
        {
            problems.Add(new(
                "query:columns:" + fieldCount.ToString(CultureInfo.InvariantCulture),
                $"the query returns {fieldCount} column(s); it must return name, config and ts (seconds since the epoch), "
                + "optionally uid, gid and socket; changing nothing until it does"));
            return new(null, problems);
        }

        if (rules.Tyrant && fieldCount < 5)
        {
            problems.Add(new(
                "query:tyrant:" + fieldCount.ToString(CultureInfo.InvariantCulture),
                $"tyrant mode needs the uid and gid columns (4th and 5th) but the query returns {fieldCount}; changing nothing until it does"));
            return new(null, problems);
        }

        var good = new Dictionary<string, List<(SourceEntry Entry, int Version)>>(StringComparer.Ordinal);
        var bad = new List<(string Name, string Why, int Version)>();
        foreach (var row in rows)
        {
            var version = row.Version();
            if (row.Name is null || row.Name.Length == 0)
            {
                problems.Add(new(
                    $"noname:{version}",
                    $"row {row.Number}: the name is {(row.Name is null ? "NULL" : "empty")}; skipped"));
                continue;
            }

            if (!TryDecode(row.Name, out var name))
            {
                problems.Add(new(
                    "name-utf8:" + Convert.ToHexString(row.Name),
                    $"row {row.Number}: the name is not valid UTF-8 (bytes {Shorten(Convert.ToHexString(row.Name), 64)}); skipped"));
                continue;
            }

            if (NameProblem(name, rules) is { } nameProblem)
            {
                problems.Add(new("name:" + name, $"row \"{Printable(name)}\": {nameProblem}; skipped"));
                continue;
            }

            if (EntryFor(row, name, rules, out var why) is { } entry)
            {
                if (rules.Tyrant && (entry.Uid == 0 || entry.Gid == 0))
                {
                    bad.Add((name, $"[emperor-tyrant] invalid permissions for vassal {name}: uid {entry.Uid}, gid {entry.Gid}; tyrant mode never runs a vassal as root (set the row's uid and gid)", version));
                    continue;
                }

                if (row.Socket is { Length: > 0 } socket)
                {
                    problems.Add(new(
                        "socket:" + name + "\0" + socket,
                        $"row \"{name}\": on-demand sockets are not supported; the socket column (\"{Shorten(socket, 80)}\") is ignored and the vassal runs normally"));
                }

                if (!good.TryGetValue(name, out var list))
                {
                    good[name] = list = [];
                }

                list.Add((entry, version));
            }
            else
            {
                bad.Add((name, why!, version));
            }
        }

        var entries = new Dictionary<string, SourceEntry>(StringComparer.Ordinal);
        foreach (var (name, list) in good)
        {
            var chosen = list
                .OrderByDescending(c => c.Entry.ModifiedNs)
                .ThenBy(c => c.Entry.InlineConfig, StringComparer.Ordinal)
                .ThenBy(c => c.Entry.Uid)
                .ThenBy(c => c.Entry.Gid)
                .First();
            AddEntries(entries, chosen.Entry, previous, problems);
            if (list.Count > 1)
            {
                var versions = string.Join(',', list.Select(c => c.Version).Order());
                problems.Add(new(
                    "dup:" + name + "\0" + versions,
                    $"row \"{name}\": {list.Count} rows have this name; using the one with the newest ts ({FormatTs(chosen.Entry.ModifiedNs)}), ignoring the others"));
            }
        }

        foreach (var (name, why, version) in bad)
        {
            string outcome;
            if (entries.ContainsKey(name) && good.ContainsKey(name))
            {
                outcome = "ignored (another row with this name is used)";
            }
            else if (previous is not null && previous.TryGetValue(name, out var last))
            {
                entries[name] = last;
                outcome = "the vassal keeps its previous config";
            }
            else if (previous is not null && SectionsOf(previous, name) is { Count: > 0 } sections)
            {
                foreach (var section in sections)
                {
                    entries[section.Name] = section;
                }

                outcome = $"its {sections.Count} vassals keep their previous config";
            }
            else
            {
                outcome = "skipped";
            }

            problems.Add(new($"bad:{name}\0{version}", why.StartsWith('[') ? $"{why}; {outcome}" : $"row \"{name}\": {why}; {outcome}"));
        }

        return new(entries, problems);
    }

    /// <summary>The row's entry, or one entry per section when its config is a multi-vassal document.</summary>
    private static void AddEntries(Dictionary<string, SourceEntry> entries, SourceEntry row, IReadOnlyDictionary<string, SourceEntry>? previous, List<RowProblem> problems)
    {
        var sections = MultiVassalFile.Read(row.InlineConfig!, row.Name, out var sectionProblems);
        foreach (var problem in sectionProblems)
        {
            problems.Add(new("section:" + row.Name + "\0" + problem, $"row \"{row.Name}\": {problem}"));
        }

        if (sections is null)
        {
            entries[row.Name] = row;
            return;
        }

        // Fingerprints by previous document: a section kept unchanged earlier may still hold an older text than the rest.
        var before = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (section, fingerprint) in sections)
        {
            var name = row.Name + ":" + section;
            if (previous is not null && previous.TryGetValue(name, out var last) && last.Uid == row.Uid && last.Gid == row.Gid
                && last.InlineConfig is { } lastText)
            {
                if (!before.TryGetValue(lastText, out var prints))
                {
                    before[lastText] = prints = MultiVassalFile.Read(lastText, row.Name, out _)?.ToDictionary(v => v.Section, v => v.Fingerprint, StringComparer.Ordinal) ?? [];
                }

                if (prints.TryGetValue(section, out var was) && was == fingerprint)
                {
                    entries[name] = last;
                    continue;
                }
            }

            entries[name] = row with { Name = name };
        }
    }

    /// <summary>The previous entries of a multi-vassal row (<c>NAME:SECTION</c>).</summary>
    private static List<SourceEntry> SectionsOf(IReadOnlyDictionary<string, SourceEntry> previous, string name) =>
        [.. previous.Values.Where(e => e.Name.Length > name.Length && e.Name[name.Length] == ':' && e.Name.StartsWith(name, StringComparison.Ordinal))];

    private static SourceEntry? EntryFor(VassalRow row, string name, SnapshotRules rules, out string? why)
    {
        why = null;
        if (row.Config is null && row.ConfigSize <= rules.MaxConfigBytes)
        {
            why = "the config is NULL";
            return null;
        }

        if (row.ConfigSize > rules.MaxConfigBytes || row.Config!.Length > rules.MaxConfigBytes)
        {
            why = $"the config is {Math.Max(row.ConfigSize, row.Config?.Length ?? 0)} bytes, larger than the {rules.MaxConfigBytes}-byte limit";
            return null;
        }

        if (row.Config.Length == 0)
        {
            why = "the config is empty";
            return null;
        }

        if (!TryDecode(row.Config, out var config))
        {
            why = $"the config is not valid UTF-8 (first bad byte at offset {FirstInvalidByte(row.Config)})";
            return null;
        }

        if (config.Contains('\0', StringComparison.Ordinal))
        {
            why = "the config contains a NUL byte";
            return null;
        }

        if (!TryParseTs(row.Ts, out var modifiedNs))
        {
            why = $"ts \"{Shorten(row.Ts!, 40)}\" is neither seconds since the epoch nor a timestamp";
            return null;
        }

        var uid = 0;
        var gid = 0;
        if (rules.Tyrant)
        {
            if (!TryParseId(row.Uid, out uid))
            {
                why = $"uid {Describe(row.Uid)} is not a user id (tyrant mode needs one)";
                return null;
            }

            if (!TryParseId(row.Gid, out gid))
            {
                why = $"gid {Describe(row.Gid)} is not a group id (tyrant mode needs one)";
                return null;
            }
        }
        else
        {
            // Outside tyrant mode uid and gid are only shown in stats (spec §9): whatever parses.
            _ = TryParseId(row.Uid, out uid);
            _ = TryParseId(row.Gid, out gid);
        }

        return new SourceEntry(name, modifiedNs, uid, gid, config, null);
    }

    private static string? NameProblem(string name, SnapshotRules rules)
    {
        if (name.Any(char.IsControl))
        {
            return "the name contains control characters";
        }

        if (name.Contains(':', StringComparison.Ordinal))
        {
            return "the name contains ':', which the vassal would read as a config section";
        }

        if (!VassalFormat.IsVassalName(name, rules.ExtraExtensions))
        {
            return Encoding.UTF8.GetByteCount(name) > VassalFormat.MaxNameBytes
                ? $"the name is {Encoding.UTF8.GetByteCount(name)} bytes; vassal names are shorter than 255 bytes"
                : "not a vassal name (it must end in .ini, .xml, .yaml, .yml, .json or .js, or an --emperor-extra-extension)";
        }

        return null;
    }

    /// <summary>
    /// ts as text: seconds since the epoch at full precision (<c>EXTRACT(epoch FROM ts)</c> gives microseconds), an
    /// integer, or a timestamp; NULL is 0 (uWSGI reads an empty value as 0). A change of config text reloads the
    /// vassal whatever ts says.
    /// </summary>
    public static bool TryParseTs(string? text, out long ns)
    {
        ns = 0;
        if (text is null || text.Length == 0)
        {
            return true;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            ns = seconds >= 9_223_372_036m ? long.MaxValue
                : seconds <= -9_223_372_036m ? long.MinValue
                : (long)decimal.Round(seconds * 1_000_000_000m);
            return true;
        }

        switch (text)
        {
            case "Infinity" or "infinity":
                ns = long.MaxValue;
                return true;
            case "-Infinity" or "-infinity":
                ns = long.MinValue;
                return true;
            default:
                break;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            // Nanoseconds since the epoch fit in a long from 1677 to 2262; a timestamp outside saturates, as a
            // seconds value outside does above (a date in year 9999 overflowed here: found by fuzzing).
            var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            ns = ticks > long.MaxValue / 100 ? long.MaxValue : ticks < long.MinValue / 100 ? long.MinValue : ticks * 100;
            return true;
        }

        return false;
    }

    private static bool TryParseId(string? text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static string Describe(string? value) => value is null ? "NULL" : $"\"{Shorten(value, 40)}\"";

    private static bool TryDecode(byte[] bytes, out string text)
    {
        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static int FirstInvalidByte(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? -1 : read;
    }

    private static string FormatTs(long ns) =>
        (ns / 1_000_000_000.0).ToString("0.######", CultureInfo.InvariantCulture);

    private static string Printable(string s) =>
        Shorten(string.Concat(s.Select(c => char.IsControl(c) ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : c.ToString())), 120);

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
