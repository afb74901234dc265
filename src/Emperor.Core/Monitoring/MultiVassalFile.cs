using System.Text;
using System.Text.Json;
using System.Xml;
using Emperor.Core.Config.Formats;

namespace Emperor.Core.Monitoring;

/// <summary>
/// One file, many vassals: a vassal file whose <c>[emperor]</c> section (an <c>emperor:</c> key in YAML, an
/// <c>"emperor"</c> object in JSON) says <c>vassals = a b c</c>, or <c>vassals = *</c> for every section but
/// <c>[emperor]</c>, is one vassal per listed section, named <c>FILE:SECTION</c> and started as
/// <c>--ini FILE:SECTION</c> (uWSGI reads exactly that section). In XML the sections are the root's
/// <c>&lt;uwsgi id="NAME"&gt;</c> children (what <c>--xml FILE:NAME</c> selects) and the list is
/// <c>&lt;emperor&gt;&lt;vassals&gt;a b&lt;/vassals&gt;&lt;/emperor&gt;</c>. Pure: the caller reads the file.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Each vassal's fingerprint is its section's options plus, recursively, those of the sections of the same
/// file it loads (<c>ini = :common</c>, likewise <c>yaml</c>, <c>json</c>, <c>inherit</c>, <c>include</c>…): so an
/// edit reloads exactly the vassals whose configuration it changes. Nothing is expanded or executed here (an
/// <c>@(exec://…)</c> runs in the vassal, never in the Emperor).</item>
/// <item><c>--emperor-extra-extension</c> files are not read this way: they stay one vassal each.</item>
/// <item>A listed section that the file does not have is a problem (reported) and no vassal.</item>
/// </list>
/// </remarks>
internal static class MultiVassalFile
{
    /// <summary>The section that lists the vassals.</summary>
    public const string EmperorSection = "emperor";

    /// <summary>Files above this are never read for sections (they stay one vassal).</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly string[] s_loaders = ["ini", "yaml", "yml", "json", "js", "xml", "inherit", "include", "config"];

    /// <summary>Whether a file of this name can be a multi-vassal file (its format has sections).</summary>
    public static bool MayBe(string fileName) => FormatOf(fileName) is not null;

    /// <summary>
    /// The vassals of <paramref name="text"/> (section → fingerprint, in the listed order), or null when the file has no
    /// <c>[emperor]</c> section with <c>vassals</c> (an ordinary vassal file); <paramref name="problems"/> says what
    /// could not be used.
    /// </summary>
    public static IReadOnlyList<(string Section, string Fingerprint)>? Read(string text, string fileName, out List<string> problems)
    {
        problems = [];
        var format = FormatOf(fileName);
        if (format is null || !text.Contains(EmperorSection, StringComparison.Ordinal))
        {
            return null;
        }

        var listing = format == "xml"
            ? XmlListing(text)
            : Entries(format, text, fileName, EmperorSection).Where(e => e.Key == "vassals").Select(e => e.Value).ToList();
        if (listing.Count == 0)
        {
            return null;
        }

        var all = SectionsOf(format, text);
        var wanted = listing.SelectMany(v => v.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries)).ToList();
        var names = wanted.Contains("*")
            ? all.Where(s => s != EmperorSection).ToList()
            : wanted.Distinct(StringComparer.Ordinal).ToList();
        var result = new List<(string, string)>();
        foreach (var section in names)
        {
            if (section == EmperorSection || !all.Contains(section))
            {
                problems.Add(section == EmperorSection
                    ? $"{fileName}: [{EmperorSection}] lists itself as a vassal; ignored"
                    : $"{fileName}: [{EmperorSection}] lists the vassal \"{section}\" but the file has no such section");
                continue;
            }

            result.Add((section, Fingerprint(format, text, fileName, section, 0)));
        }

        return result;
    }

    private static string Fingerprint(string format, string text, string fileName, string section, int depth)
    {
        var sb = new StringBuilder();
        foreach (var entry in Entries(format, text, fileName, section))
        {
            sb.Append(entry.Key).Append('=').Append(entry.Value).Append('\n');
            if (depth < 8 && s_loaders.Contains(entry.Key) && entry.Value.StartsWith(':') && entry.Value.Length > 1)
            {
                sb.Append('{').Append(Fingerprint(format, text, fileName, entry.Value[1..], depth + 1)).Append('}');
            }
        }

        return sb.ToString();
    }

    private static string? FormatOf(string fileName) =>
        fileName.EndsWith(".ini", StringComparison.Ordinal) ? "ini"
        : fileName.EndsWith(".yml", StringComparison.Ordinal) || fileName.EndsWith(".yaml", StringComparison.Ordinal) ? "yaml"
        : fileName.EndsWith(".json", StringComparison.Ordinal) || fileName.EndsWith(".js", StringComparison.Ordinal) ? "json"
        : fileName.EndsWith(".xml", StringComparison.Ordinal) ? "xml"
        : null;

    private static IReadOnlyList<ConfigEntry> Entries(string format, string text, string fileName, string section) => format switch
    {
        "ini" => IniConfigReader.Read(text, fileName, section).Entries,
        "yaml" => YamlConfigReader.Read(text, fileName, section).Entries,
        "xml" => XmlConfigReader.Read(text, fileName, section).Entries,
        _ => JsonConfigReader.Read(text, fileName, section).Entries,
    };

    /// <summary>The section names, in file order: INI <c>[name]</c> lines, YAML top-level keys, JSON top-level members.</summary>
    private static List<string> SectionsOf(string format, string text)
    {
        var sections = new List<string>();
        if (format == "xml")
        {
            return [.. XmlElements(text).Where(e => e.Depth == 1 && e.Name == "uwsgi" && e.Id is not null).Select(e => e.Id!).Distinct(StringComparer.Ordinal)];
        }

        if (format == "json")
        {
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    sections.AddRange(doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => p.Name));
                }
            }
            catch (JsonException)
            {
                // A broken document has no sections; the vassal reports the parse error itself.
            }

            return [.. sections.Distinct(StringComparer.Ordinal)];
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (format == "ini")
            {
                var trimmed = line.Trim(' ', '\t');
                if (trimmed.Length > 1 && trimmed[0] == '[')
                {
                    // As uWSGI's reader: the last character is dropped unchecked.
                    sections.Add(trimmed[1..^1]);
                }
            }
            else if (line.Length > 1 && line[0] is not (' ' or '\t' or '#' or '-') && line.EndsWith(':'))
            {
                sections.Add(line[..^1]);
            }
        }

        return [.. sections.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The text of every <c>&lt;vassals&gt;</c> in the root's <c>&lt;emperor&gt;</c> children.</summary>
    private static List<string> XmlListing(string text)
    {
        var listing = new List<string>();
        var inEmperor = false;
        foreach (var e in XmlElements(text))
        {
            if (e.Depth == 1)
            {
                inEmperor = e.Name == EmperorSection;
            }
            else if (inEmperor && e.Depth == 2 && e.Name == "vassals")
            {
                listing.Add(e.Text);
            }
        }

        return listing;
    }

    /// <summary>Elements down to depth 2 (name, id attribute, text), DTDs prohibited; nothing from a malformed document.</summary>
    private static List<(int Depth, string Name, string? Id, string Text)> XmlElements(string text)
    {
        var elements = new List<(int, string, string?, string)>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxBytes });
            var root = System.Xml.Linq.XDocument.Load(reader).Root;
            foreach (var child in root?.Elements() ?? [])
            {
                elements.Add((1, child.Name.LocalName, (string?)child.Attribute("id"), string.Empty));
                foreach (var grandchild in child.Elements())
                {
                    elements.Add((2, grandchild.Name.LocalName, (string?)grandchild.Attribute("id"), grandchild.Value));
                }
            }
        }
        catch (XmlException)
        {
            return [];
        }

        return elements;
    }
}
