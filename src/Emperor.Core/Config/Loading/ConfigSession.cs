using Emperor.Core.Config.Options;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// Builds the option list the way <c>uwsgi_setup</c> does (core/uwsgi.c): environment options, then command-line
/// options in order (immediate ones — file loads, <c>set</c>, logic blocks — applied as they are added), then the
/// non-option file arguments; then the <c>$( )</c>, <c>@( )</c> and <c>%( )</c> passes; then the configure loop,
/// where <c>inherit</c> loads its file (whose options are therefore never expanded).
/// Implementation notes: single-threaded and single-use; all uWSGI globals (magic table, last INI file, logic
/// state, inject lists) are fields here. Each partial file covers one concern: options (this file), files, logic,
/// passes.
/// </summary>
internal sealed partial class ConfigSession
{
    private static readonly string[] s_excludedEnvironment =
    [
        "UWSGI_RELOADS", "UWSGI_VASSALS_DIR", "UWSGI_EMPEROR_FD", "UWSGI_BROODLORD_NUM", "UWSGI_EMPEROR_FD_CONFIG",
        "UWSGI_EMPEROR_PROXY", "UWSGI_JAIL_PID", "UWSGI_ORIGINAL_PROC_NAME",
    ];

    private readonly IConfigHost _host;
    private readonly ConfigLimits _limits;
    private readonly List<ExportedOption> _options = [];
    private readonly List<ConfigDiagnostic> _diagnostics = [];
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly HashSet<string> _customOptions = new(StringComparer.Ordinal);
    private readonly MagicTable _magic;
    private bool _strict;
    private bool _tooMany;

    public ConfigSession(IConfigHost host, ConfigLimits limits)
    {
        _host = host;
        _limits = limits;
        _magic = new MagicTable(host.Facts);
        foreach (var pair in host.Environment)
        {
            _environment.TryAdd(pair.Key, pair.Value);
        }
    }

    public IReadOnlyList<ConfigDiagnostic> Diagnostics => _diagnostics;

    public IEnumerable<ConfigOption> Options => _options.Select(o => new ConfigOption(o.Key, o.Value));

    /// <summary>Where each of <see cref="Options"/> came from, in the same order.</summary>
    public IEnumerable<ConfigLocation> Locations => _options.Select(o => o.Location);

    /// <summary>True when GNU getopt must not permute (POSIXLY_CORRECT set).</summary>
    public bool PosixlyCorrect => _environment.ContainsKey("POSIXLY_CORRECT");

    /// <summary>core/utils.c <c>parse_sys_envs</c>: <c>UWSGI_FOO_BAR=v</c> becomes <c>foo-bar = v</c> (ASCII lower
    /// case, '_' → '-'), in environ order, except the Emperor protocol variables.</summary>
    public void AddEnvironmentOptions()
    {
        var index = 0;
        foreach (var (name, value) in _host.Environment)
        {
            index++;
            if (!name.StartsWith("UWSGI_", StringComparison.Ordinal) || Array.IndexOf(s_excludedEnvironment, name) >= 0)
            {
                continue;
            }

            var key = string.Create(name.Length - 6, name, static (span, n) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    var c = n[i + 6];
                    span[i] = c == '_' ? '-' : char.IsAsciiLetterUpper(c) ? (char)(c + 32) : c;
                }
            });
            AddOption(key, value, new ConfigLocation("<environment " + name + ">", index, 1), null);
        }
    }

    public void AddCommandLineOption(CommandLineItem item) =>
        AddOption(item.Name, item.Value, new ConfigLocation(CommandLineParser.Source, 1, item.ArgumentIndex + 1), null);

    /// <summary>Final checks: an unclosed logic block, strict mode.</summary>
    public void Finish()
    {
        if (_logic != LogicKind.None && _logicOpener is not null)
        {
            Warn(_logicOpener.Location, ConfigDiagnosticCode.UnterminatedBlock, ConfigMessages.UnterminatedBlock(_logicOpener.Key));
        }

        if (!_strict)
        {
            return;
        }

        foreach (var option in _options)
        {
            if (!option.PlaceholderOnly && !IsKnownOption(option.Key))
            {
                Error(option.Location, ConfigDiagnosticCode.StrictUnknownOption, ConfigMessages.StrictUnknownOption(option.Key));
            }
        }
    }

    /// <summary>core/config.c <c>uwsgi_configure</c>, reduced to what changes the option list: each option not yet
    /// configured is applied in order; <c>inherit</c> loads its file, and since that adds options the loop starts
    /// over (options already applied stay applied).</summary>
    public void Configure()
    {
        var i = 0;
        while (i < _options.Count)
        {
            var option = _options[i];
            i++;
            if (option.Configured)
            {
                continue;
            }

            var known = IsKnownOption(option.Key);
            option.Configured = known;
            var before = _options.Count;
            if (string.Equals(option.Key, "inherit", StringComparison.Ordinal))
            {
                LoadBySuffix(option.ShareArgument(), option.Location, option.Frame);
            }
            else if (string.Equals(option.Key, "declare-option2", StringComparison.Ordinal))
            {
                DeclareOption(option.Value);
            }

            if (_options.Count != before)
            {
                i = 0;
            }
        }
    }

    /// <summary>core/config.c <c>add_exported_option_do</c>: logic-block bookkeeping, then append, then apply
    /// the option at once when it is immediate.</summary>
    private void AddOption(string key, string? value, ConfigLocation location, IncludeFrame? frame, bool placeholderOnly = false)
    {
        if (!_logicRunning)
        {
            if (key is "end" or "endfor" or "endif" or "end-if" or "end-for")
            {
                _logic = LogicKind.None;
                _logicArg = null;
                _logicOpener = null;
            }

            if (_logic != LogicKind.None)
            {
                RunLogic(key, value, location, frame);
                return;
            }
        }

        if (_options.Count >= _limits.MaxOptions)
        {
            if (!_tooMany)
            {
                _tooMany = true;
                Error(location, ConfigDiagnosticCode.TooManyOptions, ConfigMessages.TooManyOptions(_limits.MaxOptions));
            }

            return;
        }

        var option = new ExportedOption(key, value, location, frame);
        _options.Add(option);
        if (placeholderOnly)
        {
            option.PlaceholderOnly = true;
            option.Configured = true;
            if (IsKnownOption(key))
            {
                Error(location, ConfigDiagnosticCode.PlaceholderIsOption, ConfigMessages.PlaceholderIsOption(key));
            }

            return;
        }

        if (UwsgiOptionTable.Find(key) is { Immediate: true })
        {
            option.Configured = true;
            ApplyImmediate(option);
        }
    }

    private void ApplyImmediate(ExportedOption option)
    {
        var key = option.Key;
        switch (key)
        {
            case "ini":
                LoadFormat(ConfigFormat.Ini, option.ShareArgument(), option.Location, option.Frame);
                break;
            case "xml" or "xmlconfig":
                LoadFormat(ConfigFormat.Xml, option.ShareArgument(), option.Location, option.Frame);
                break;
            case "yaml" or "yml":
                LoadFormat(ConfigFormat.Yaml, option.ShareArgument(), option.Location, option.Frame);
                break;
            case "json" or "js":
                LoadFormat(ConfigFormat.Json, option.ShareArgument(), option.Location, option.Frame);
                break;
            case "config":
                LoadConfig(option.ShareArgument(), option.Location, option.Frame);
                break;
            case "include":
                LoadBySuffix(option.ShareArgument(), option.Location, option.Frame);
                break;
            case "set" or "set-placeholder" or "set-ph":
                var text = option.Value ?? string.Empty;
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    Error(option.Location, ConfigDiagnosticCode.InvalidSet, ConfigMessages.InvalidSet(key));
                    break;
                }

                AddOption(text[..eq], text[(eq + 1)..], option.Location, option.Frame, placeholderOnly: key != "set");
                break;
            case "inject-before":
                _injectBefore.Add(option.Value ?? string.Empty);
                break;
            case "inject-after":
                _injectAfter.Add(option.Value ?? string.Empty);
                break;
            case "strict":
                _strict = !IsFalse(option.Value);
                break;
            case "declare-option":
                DeclareOption(option.Value);
                break;
            default:
                if (LogicKindOf(key) is var kind && kind != LogicKind.None)
                {
                    StartLogic(kind, option);
                }

                break;
        }
    }

    private void DeclareOption(string? value)
    {
        var eq = value?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (value is not null && eq > 0)
        {
            _customOptions.Add(value[..eq]);
        }
    }

    private bool IsKnownOption(string key) => UwsgiOptionTable.Find(key) is not null || _customOptions.Contains(key);

    /// <summary>core/uwsgi.c <c>uwsgi_opt_true</c>: false only for false/off/no (any case) or exactly "0".</summary>
    private static bool IsFalse(string? value) =>
        value is not null && (value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase)
            || value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase));

    private void Error(ConfigLocation location, ConfigDiagnosticCode code, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(location, ConfigSeverity.Error, code, message));

    private void Warn(ConfigLocation location, ConfigDiagnosticCode code, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(location, ConfigSeverity.Warning, code, message));
}
