using System.Text;
using System.Text.Json;

namespace Emperor.Core.Config.Formats;

/// <summary>
/// uWSGI's JSON configuration, YAJL-tree flavour as built by Debian (core/json.c, <c>UWSGI_JSON_YAJL</c>): the
/// first top-level member named like the section must be an object; each member becomes an option: strings as
/// they are, <c>true</c> → "1", <c>false</c>/<c>null</c> → "0", numbers as written (YAJL keeps the raw text, so
/// <c>1.50</c> stays <c>1.50</c>), arrays repeat the option for each scalar element; nested objects and arrays
/// inside arrays are ignored. Comments are allowed (yajl_tree_parse enables them). The whole document must be
/// well-formed, because YAJL parses the tree before anything is added.
/// </summary>
internal static class JsonConfigReader
{
    public static ConfigParseResult Read(string text, string sourceName, string section = "uwsgi", int maxDepth = 64) =>
        Read(ConfigText.Plain(text, sourceName), section, maxDepth);

    public static ConfigParseResult Read(ConfigText source, string section, int maxDepth)
    {
        var diagnostics = new List<ConfigDiagnostic>();
        var entries = new List<ConfigEntry>();
        var bytes = Encoding.UTF8.GetBytes(source.Text);
        var options = new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false, MaxDepth = maxDepth };
        var reader = new Utf8JsonReader(bytes, options);
        var positions = new BytePositions(source, bytes);
        var found = false;
        try
        {
            if (!reader.Read())
            {
                diagnostics.Add(Error(source, positions, 0, ConfigDiagnosticCode.JsonSyntax, ConfigMessages.JsonSyntax("the document is empty")));
                return new ConfigParseResult(entries, diagnostics);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
            }
            else
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var matches = !found && reader.ValueTextEquals(section);
                    var nameOffset = (int)reader.TokenStartIndex;
                    reader.Read();
                    if (!matches)
                    {
                        reader.Skip();
                        continue;
                    }

                    found = true;
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        diagnostics.Add(Error(source, positions, nameOffset, ConfigDiagnosticCode.JsonNoSection, ConfigMessages.JsonNotObject(section)));
                        reader.Skip();
                        continue;
                    }

                    ReadOptions(ref reader, source, positions, entries, diagnostics);
                }
            }

            // YAJL rejects trailing content; Utf8JsonReader throws for it on the next Read.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            var offset = positions.FromLine((int)(ex.LineNumber ?? 0), (int)(ex.BytePositionInLine ?? 0));
            var tooDeep = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase);
            diagnostics.Add(new ConfigDiagnostic(
                source.GetLocation(offset),
                ConfigSeverity.Error,
                tooDeep ? ConfigDiagnosticCode.JsonTooDeep : ConfigDiagnosticCode.JsonSyntax,
                tooDeep ? ConfigMessages.TooDeep("JSON", maxDepth) : ConfigMessages.JsonSyntax(StripPosition(ex.Message))));
            entries.Clear();
            return new ConfigParseResult(entries, diagnostics);
        }
        catch (InvalidOperationException ex)
        {
            diagnostics.Add(Error(source, positions, (int)reader.TokenStartIndex, ConfigDiagnosticCode.JsonSyntax, ConfigMessages.JsonSyntax(ex.Message)));
            entries.Clear();
            return new ConfigParseResult(entries, diagnostics);
        }

        if (!found)
        {
            diagnostics.Add(Error(source, positions, 0, ConfigDiagnosticCode.JsonNoSection, ConfigMessages.JsonNoSection(section)));
        }

        return new ConfigParseResult(entries, diagnostics);
    }

    private static void ReadOptions(ref Utf8JsonReader reader, ConfigText source, BytePositions positions, List<ConfigEntry> entries, List<ConfigDiagnostic> diagnostics)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString() ?? string.Empty;
            var location = source.GetLocation(positions.ToCharOffset((int)reader.TokenStartIndex));
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (Scalar(ref reader, key, location, diagnostics) is { } item)
                    {
                        entries.Add(new ConfigEntry(key, item, location));
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (Scalar(ref reader, key, location, diagnostics) is { } value)
            {
                entries.Add(new ConfigEntry(key, value, location));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static string? Scalar(ref Utf8JsonReader reader, string key, ConfigLocation location, List<ConfigDiagnostic> diagnostics)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.GetString() ?? string.Empty;
                var nul = text.IndexOf('\0', StringComparison.Ordinal);
                if (nul >= 0)
                {
                    diagnostics.Add(new ConfigDiagnostic(location, ConfigSeverity.Warning, ConfigDiagnosticCode.JsonNulInString, ConfigMessages.JsonNulInString(key)));
                    text = text[..nul];
                }

                return text;
            case JsonTokenType.True:
                return "1";
            case JsonTokenType.False:
            case JsonTokenType.Null:
                return "0";
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                return null;
        }
    }

    private static ConfigDiagnostic Error(ConfigText source, BytePositions positions, int byteOffset, ConfigDiagnosticCode code, string message) =>
        new(source.GetLocation(positions.ToCharOffset(byteOffset)), ConfigSeverity.Error, code, message);

    private static string StripPosition(string message)
    {
        var index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (index > 0 ? message[..index] : message).TrimEnd('.', ' ');
    }

    /// <summary>Converts Utf8JsonReader byte positions to character offsets of the text, incrementally.</summary>
    private sealed class BytePositions(ConfigText source, byte[] bytes)
    {
        private int _byte;
        private int _char;

        public int ToCharOffset(int byteOffset)
        {
            byteOffset = Math.Clamp(byteOffset, 0, bytes.Length);
            if (byteOffset < _byte)
            {
                _byte = 0;
                _char = 0;
            }

            _char += Encoding.UTF8.GetCharCount(bytes, _byte, byteOffset - _byte);
            _byte = byteOffset;
            return _char;
        }

        /// <summary>0-based line and byte-in-line, as JsonException reports them.</summary>
        public int FromLine(int line, int byteInLine)
        {
            var lineStartChar = source.GetOffset(line + 1, 1);
            var lineStartByte = Encoding.UTF8.GetByteCount(source.Text.AsSpan(0, lineStartChar));
            return ToCharOffset(lineStartByte + byteInLine);
        }
    }
}
