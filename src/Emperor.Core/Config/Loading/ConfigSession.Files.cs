using Emperor.Core.Config.Formats;
using Emperor.Core.Config.Options;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// Loading files: format by option (<c>--ini</c>...) or by suffix (<c>include</c>, <c>inherit</c>, bare arguments:
/// core/uwsgi.c <c>uwsgi_opt_load</c>), section selection at the last colon (after the last '/' for scheme URLs),
/// the magic table fill (<c>config_magic_table_fill</c>), reading through the host with the sources uWSGI knows
/// (<c>uwsgi_open_and_read</c>: plain files, exec://, emperor://), inject-before/after, magic substitution.
/// </summary>
internal sealed partial class ConfigSession
{
    private static readonly string[] s_schemes = ["emperor", "http", "data", "sym", "section", "fd", "exec", "call", "callint"];
    private readonly List<string> _injectBefore = [];
    private readonly List<string> _injectAfter = [];
    private string? _lastIniFile;

    /// <summary>A non-option command-line argument: loaded by suffix unless it starts with '['.</summary>
    public void LoadFileArgument(CommandLineItem item)
    {
        if (item.Name.StartsWith('['))
        {
            return;
        }

        LoadBySuffix(new ConfigArgument(item.Name), new ConfigLocation(CommandLineParser.Source, 1, item.ArgumentIndex + 1), null);
    }

    private static bool IsScheme(string name)
    {
        foreach (var scheme in s_schemes)
        {
            if (name.Length > scheme.Length + 3 && name.StartsWith(scheme, StringComparison.Ordinal) && name.AsSpan(scheme.Length).StartsWith("://"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The colon that starts the section: the last one, or for a scheme URL the last one after the last '/'.</summary>
    private static int SectionColon(string name)
    {
        var colon = name.LastIndexOf(':');
        if (IsScheme(name) && colon < name.LastIndexOf('/'))
        {
            return -1;
        }

        return colon;
    }

    private static ConfigFormat? SuffixFormat(string name) =>
        name.EndsWith(".ini", StringComparison.Ordinal) ? ConfigFormat.Ini
        : name.EndsWith(".xml", StringComparison.Ordinal) ? ConfigFormat.Xml
        : name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal) ? ConfigFormat.Yaml
        : name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".js", StringComparison.Ordinal) ? ConfigFormat.Json
        : null;

    /// <summary>uwsgi_opt_load: by suffix, without letting the file freeze the upper-case magic variables.</summary>
    private void LoadBySuffix(ConfigArgument argument, ConfigLocation where, IncludeFrame? parent)
    {
        var saved = _magic.FirstRoundDone;
        _magic.FirstRoundDone = true;
        try
        {
            if (SuffixFormat(argument.Current) is { } format)
            {
                LoadFormat(format, argument, where, parent);
            }
            else
            {
                LoadConfig(argument, where, parent);
            }
        }
        finally
        {
            _magic.FirstRoundDone = saved;
        }
    }

    /// <summary>uwsgi_opt_load_config. uWSGI 2.0 core registers no configurator, so it always fails there; this
    /// reader picks the format from the suffix of the file part (docs/config-differences.md).</summary>
    private void LoadConfig(ConfigArgument argument, ConfigLocation where, IncludeFrame? parent)
    {
        var name = argument.Current;
        var colon = SectionColon(name);
        var file = colon >= 0 ? name[..colon] : name;
        if (SuffixFormat(file) is { } format)
        {
            LoadFormat(format, argument, where, parent);
        }
        else
        {
            Error(where, ConfigDiagnosticCode.UnknownFormat, ConfigMessages.UnknownFormat(name));
        }
    }

    /// <summary>uwsgi_opt_load_ini / _xml / _yml / _json: fill the magic table, then read.</summary>
    private void LoadFormat(ConfigFormat format, ConfigArgument argument, ConfigLocation where, IncludeFrame? parent)
    {
        if (!FillMagic(argument, where))
        {
            return;
        }

        var name = argument.Current;
        var colon = SectionColon(name);
        var file = name;
        var section = "uwsgi";
        string? id = null;
        if (colon >= 0)
        {
            file = name[..colon];
            var asked = name[(colon + 1)..];
            if (format == ConfigFormat.Xml)
            {
                if (asked.Length == 0)
                {
                    Error(where, ConfigDiagnosticCode.XmlEmptyId, ConfigMessages.XmlEmptyId);
                    return;
                }

                id = asked;
            }
            else if (asked.Length > 0)
            {
                section = asked;
            }

            if (format == ConfigFormat.Ini && colon == 0)
            {
                if (_lastIniFile is null)
                {
                    Error(where, ConfigDiagnosticCode.NoPreviousIniFile, ConfigMessages.NoPreviousIniFile);
                    return;
                }

                file = _lastIniFile;
            }

            argument.Cut(colon);
        }

        try
        {
            ReadAndAdd(format, file, section, id, argument.Text, where, parent);
        }
        finally
        {
            if (colon >= 0)
            {
                switch (format)
                {
                    case ConfigFormat.Ini or ConfigFormat.Yaml:
                        argument.Restore();
                        break;
                    case ConfigFormat.Xml:
                        argument.MangleXml(colon);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private void ReadAndAdd(ConfigFormat format, string file, string section, string? id, string display, ConfigLocation where, IncludeFrame? parent)
    {
        var identity = (IsScheme(file) ? file : _host.GetRealPath(file, out _) ?? file) + "\0" + (id ?? section);
        if (parent is not null && parent.Contains(identity))
        {
            Error(where, ConfigDiagnosticCode.IncludeCycle, ConfigMessages.IncludeCycle(parent.Describe() + " → " + display));
            return;
        }

        var frame = new IncludeFrame(identity, display, parent);
        if (frame.Depth > _limits.MaxIncludeDepth)
        {
            Error(where, ConfigDiagnosticCode.IncludeTooDeep, ConfigMessages.IncludeTooDeep(_limits.MaxIncludeDepth, frame.Describe()));
            return;
        }

        var text = ReadSource(file, where, magic: true, pairWithTerminator: format != ConfigFormat.Xml);
        if (format == ConfigFormat.Ini)
        {
            _lastIniFile = file;
        }

        if (text is null)
        {
            return;
        }

        var result = format switch
        {
            ConfigFormat.Ini => IniConfigReader.Read(text, section),
            ConfigFormat.Xml => XmlConfigReader.Read(text, id, _limits.MaxNestingDepth),
            ConfigFormat.Yaml => YamlConfigReader.Read(text, section, _limits.MaxNestingDepth),
            _ => JsonConfigReader.Read(text, section, _limits.MaxNestingDepth),
        };
        _diagnostics.AddRange(result.Diagnostics);
        foreach (var entry in result.Entries)
        {
            AddOption(entry.Key, entry.Value, entry.Location, frame);
        }
    }

    /// <summary>core/uwsgi.c <c>config_magic_table_fill</c>. A symlink keeps its own name (cwd + '/' + name when
    /// relative, never resolved), anything else goes through realpath(3), whose failure is fatal in uWSGI.</summary>
    private bool FillMagic(ConfigArgument argument, ConfigLocation where)
    {
        _magic.SetOriginal(argument);
        var name = argument.Current;
        if (IsScheme(name) || name == "-")
        {
            return true;
        }

        var colon = name.LastIndexOf(':');
        if (colon != 0)
        {
            var file = colon > 0 ? name[..colon] : name;
            string fullPath;
            if (_host.IsSymbolicLink(file))
            {
                fullPath = file.StartsWith('/') ? file : _host.Facts.Cwd + "/" + file;
            }
            else if (_host.GetRealPath(file, out var error) is { } real)
            {
                fullPath = real;
            }
            else
            {
                Error(where, ConfigDiagnosticCode.CannotRead, ConfigMessages.CannotRead(file, error ?? "No such file or directory"));
                return false;
            }

            _magic.SetPath(fullPath, _host.Facts.BinaryPath, _host.GetInode(fullPath));
        }

        _magic.SetSectionAndFreeze(argument, colon);
        return true;
    }

    /// <summary>core/io.c <c>uwsgi_open_and_read</c>: the bytes of a file or scheme URL, decoded, with the inject
    /// blobs around them and magic variables substituted when <paramref name="magic"/> is set.</summary>
    private ConfigText? ReadSource(string name, ConfigLocation where, bool magic, bool pairWithTerminator)
    {
        var text = ReadText(name, where);
        if (text is null)
        {
            return null;
        }

        if (!magic)
        {
            return ConfigText.Plain(text, name);
        }

        var segments = new List<SourceText>();
        foreach (var before in _injectBefore)
        {
            if (ReadText(before, where) is { } blob)
            {
                segments.Add(new SourceText(before, blob));
            }
        }

        segments.Add(new SourceText(name, text));
        foreach (var after in _injectAfter)
        {
            if (ReadText(after, where) is { } blob)
            {
                segments.Add(new SourceText(after, blob));
            }
        }

        return MagicSubstitution.Apply([.. segments], name, _magic, pairWithTerminator, _diagnostics);
    }

    private string? ReadText(string name, ConfigLocation where)
    {
        HostReadResult read;
        if (name == "-")
        {
            // core/io.c: "-" is standard input, read to its end each time it is named (a second read finds nothing).
            read = _host.ReadStandardInput(_limits.MaxFileBytes);
        }
        else if (IsScheme(name))
        {
            var separator = name.IndexOf("://", StringComparison.Ordinal);
            var scheme = name[..separator];
            var rest = name[(separator + 3)..];
            switch (scheme)
            {
                case "emperor":
                    read = _host.ReadPushedConfig(rest, _limits.MaxFileBytes);
                    if (read.Status == HostReadStatus.NotAvailable)
                    {
                        Error(where, ConfigDiagnosticCode.CannotRead, ConfigMessages.NotAVassal(name, read.Error ?? "no config was pushed"));
                        return null;
                    }

                    break;
                case "exec":
                    read = _host.RunCommand(rest, _limits.MaxFileBytes);
                    if (read.Status == HostReadStatus.Failed)
                    {
                        Error(where, ConfigDiagnosticCode.CommandFailed, ConfigMessages.CommandFailed(rest, read.Error ?? "unknown error"));
                        return null;
                    }

                    if (read.Status == HostReadStatus.Ok && read.ExitCode != 0)
                    {
                        Warn(where, ConfigDiagnosticCode.CommandFailed, ConfigMessages.CommandExitStatus(rest, read.ExitCode));
                    }

                    break;
                default:
                    Error(where, ConfigDiagnosticCode.UnsupportedScheme, ConfigMessages.UnsupportedScheme(name, scheme));
                    return null;
            }
        }
        else
        {
            read = _host.ReadFile(name, _limits.MaxFileBytes);
        }

        switch (read.Status)
        {
            case HostReadStatus.Ok:
                return ConfigDecoder.Decode(read.Data.Span, name, _diagnostics);
            case HostReadStatus.TooLarge:
                Error(where, ConfigDiagnosticCode.FileTooLarge, ConfigMessages.FileTooLarge(name, read.Size, _limits.MaxFileBytes));
                return null;
            default:
                Error(where, ConfigDiagnosticCode.CannotRead, ConfigMessages.CannotRead(name, read.Error ?? "unknown error"));
                return null;
        }
    }
}
