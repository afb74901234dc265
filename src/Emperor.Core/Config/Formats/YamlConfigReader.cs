namespace Emperor.Core.Config.Formats;

/// <summary>
/// uWSGI's YAML configuration as the libyaml build reads it (core/yaml.c, <c>UWSGI_LIBYAML</c>, which Debian ships):
/// a token-driven state machine. A block mapping opened under a key equal to the section name enters the section;
/// inside it <c>key: scalar</c> adds an option, a sequence under a key repeats the option for each scalar, nested
/// mappings contribute their own keys, and the block end that closes the section stops reading. Anchors, aliases,
/// tags and top-level scalars stop the reader ("unsupported YAML token"); a scan error is fatal in uWSGI.
/// </summary>
internal static class YamlConfigReader
{
    public static ConfigParseResult Read(string text, string sourceName, string section = "uwsgi", int maxDepth = 64) =>
        Read(ConfigText.Plain(text, sourceName), section, maxDepth);

    public static ConfigParseResult Read(ConfigText source, string section, int maxDepth)
    {
        var entries = new List<ConfigEntry>();
        var diagnostics = new List<ConfigDiagnostic>();
        if (FirstNonPrintable(source.Text) is var bad && bad >= 0)
        {
            diagnostics.Add(new ConfigDiagnostic(source.GetLocation(bad), ConfigSeverity.Error, ConfigDiagnosticCode.YamlSyntax, ConfigMessages.YamlSyntax("control characters are not allowed")));
            return new ConfigParseResult(entries, diagnostics);
        }

        var scanner = new YamlScanner(source.Text, maxDepth);
        var inSection = 0;
        var status = 0;
        string? key = null;
        var keyOffset = 0;
        var parsing = true;
        while (parsing)
        {
            if (!scanner.Next(out var token))
            {
                if (scanner.Error is { } error)
                {
                    diagnostics.Add(new ConfigDiagnostic(
                        source.GetLocation(error.Offset),
                        ConfigSeverity.Error,
                        error.TooDeep ? ConfigDiagnosticCode.YamlTooDeep : ConfigDiagnosticCode.YamlSyntax,
                        error.TooDeep ? ConfigMessages.TooDeep("YAML", maxDepth) : ConfigMessages.YamlSyntax(error.Message)));
                }

                break;
            }

            switch (token.Kind)
            {
                case YamlTokenKind.StreamEnd:
                    parsing = false;
                    break;
                case YamlTokenKind.Key:
                    status = 1;
                    break;
                case YamlTokenKind.Value:
                    status = 2;
                    break;
                case YamlTokenKind.FlowSequenceStart:
                case YamlTokenKind.BlockSequenceStart:
                    if (inSection > 0)
                    {
                        inSection++;
                    }

                    status = 3;
                    break;
                case YamlTokenKind.FlowEntry:
                case YamlTokenKind.BlockEntry:
                    status = 3;
                    break;
                case YamlTokenKind.BlockMappingStart:
                    if (inSection > 0)
                    {
                        inSection++;
                    }
                    else if (key is not null && string.Equals(key, section, StringComparison.Ordinal))
                    {
                        inSection = 1;
                    }

                    break;
                case YamlTokenKind.BlockEnd:
                case YamlTokenKind.FlowSequenceEnd:
                    if (inSection > 0)
                    {
                        parsing = --inSection != 0;
                    }

                    key = null;
                    status = 0;
                    break;
                case YamlTokenKind.Scalar:
                    if (status == 1)
                    {
                        key = token.Value;
                        keyOffset = token.Offset;
                    }
                    else if (status is 2 or 3)
                    {
                        if (key is not null && inSection > 0)
                        {
                            entries.Add(new ConfigEntry(key, token.Value ?? string.Empty, source.GetLocation(keyOffset)));
                        }

                        if (status == 2)
                        {
                            key = null;
                            status = 0;
                        }
                    }
                    else
                    {
                        diagnostics.Add(new ConfigDiagnostic(source.GetLocation(token.Offset), ConfigSeverity.Warning, ConfigDiagnosticCode.YamlUnsupportedToken, ConfigMessages.YamlUnsupportedToken("anchors, aliases, tags and bare scalars")));
                        parsing = false;
                    }

                    break;
                default:
                    status = 0;
                    break;
            }
        }

        return new ConfigParseResult(entries, diagnostics);
    }

    /// <summary>libyaml's reader refuses characters outside the YAML printable set.</summary>
    private static int FirstNonPrintable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = c is '\t' or '\n' or '\r' or '\u0085'
                || (c >= ' ' && c <= '~')
                || (c >= '\u00a0' && c <= '\ud7ff')
                || (c >= '\ue000' && c <= '\ufffd')
                || char.IsSurrogate(c);
            if (!ok)
            {
                return i;
            }
        }

        return -1;
    }
}
