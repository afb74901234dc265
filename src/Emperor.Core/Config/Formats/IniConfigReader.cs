namespace Emperor.Core.Config.Formats;

/// <summary>
/// uWSGI's INI dialect (core/ini.c): lines split on LF and trimmed of space, TAB and CR; <c>[name]</c> starts a
/// section (its last character is dropped unchecked); <c>;</c> and <c>#</c> start comment lines; <c>key = value</c>
/// splits on the first '='; a line without '=' has the value "". Every section with the asked name
/// contributes, in order. No quoting, no inline comments, no continuation lines. A NUL ends a line, as in C.
/// </summary>
internal static class IniConfigReader
{
    public static ConfigParseResult Read(string text, string sourceName, string section = "uwsgi") =>
        Read(ConfigText.Plain(text, sourceName), section);

    public static ConfigParseResult Read(ConfigText source, string section)
    {
        var text = source.Text;
        var entries = new List<ConfigEntry>();
        var diagnostics = new List<ConfigDiagnostic>();
        var current = string.Empty;
        var found = false;
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var nul = text.IndexOf('\0', lineStart, lineEnd - lineStart);
            var contentEnd = nul >= 0 ? nul : lineEnd;
            var start = lineStart;
            while (start < contentEnd && IsBlank(text[start]))
            {
                start++;
            }

            var end = contentEnd;
            while (end > start && IsBlank(text[end - 1]))
            {
                end--;
            }

            if (end > start)
            {
                var first = text[start];
                if (first == '[')
                {
                    current = text.Substring(start + 1, end - start - 2 < 0 ? 0 : end - start - 2);
                    if (text[end - 1] != ']')
                    {
                        diagnostics.Add(new ConfigDiagnostic(source.GetLocation(start), ConfigSeverity.Warning, ConfigDiagnosticCode.IniSectionHeader, ConfigMessages.IniSectionHeader(text[start..end])));
                    }
                }
                else if (first is not ';' and not '#' && string.Equals(current, section, StringComparison.Ordinal))
                {
                    found = true;
                    var eq = text.IndexOf('=', start, end - start);
                    string key, value;
                    if (eq < 0)
                    {
                        key = text[start..end];
                        value = string.Empty;
                    }
                    else
                    {
                        var keyEnd = eq;
                        while (keyEnd > start && IsBlank(text[keyEnd - 1]))
                        {
                            keyEnd--;
                        }

                        var valueStart = eq + 1;
                        while (valueStart < end && IsBlank(text[valueStart]))
                        {
                            valueStart++;
                        }

                        key = text[start..keyEnd];
                        value = text[valueStart..end];
                        if (key.Length == 0)
                        {
                            diagnostics.Add(new ConfigDiagnostic(source.GetLocation(start), ConfigSeverity.Warning, ConfigDiagnosticCode.IniEmptyKey, ConfigMessages.IniEmptyKey));
                        }
                    }

                    entries.Add(new ConfigEntry(key, value, source.GetLocation(start)));
                }
            }

            lineStart = lineEnd + 1;
        }

        if (!found)
        {
            diagnostics.Add(new ConfigDiagnostic(new ConfigLocation(source.Name, 1, 1), ConfigSeverity.Warning, ConfigDiagnosticCode.MissingSection, ConfigMessages.MissingSection(section, source.Name)));
        }

        return new ConfigParseResult(entries, diagnostics);
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\r';
}
