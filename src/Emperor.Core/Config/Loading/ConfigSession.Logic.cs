using System.Globalization;
using System.Text.RegularExpressions;
using Emperor.Core.Config.Expansion;

namespace Emperor.Core.Config.Loading;

/// <summary>
/// The opt-logic blocks (core/config.c <c>uwsgi_logic_opt_*</c>, core/uwsgi.c <c>uwsgi_opt_logic</c>): the opening
/// option is itself kept in the list; while a block is open, every option added is handed to the block's function
/// instead, which adds it zero or more times with <c>%(_)</c> replaced; <c>end</c>, <c>endif</c>, <c>endfor</c>,
/// <c>end-if</c>, <c>end-for</c> close it (and are kept too). Blocks do not nest.
/// </summary>
internal sealed partial class ConfigSession
{
    private LogicKind _logic;
    private string? _logicArg;
    private ExportedOption? _logicOpener;
    private bool _logicRunning;

    private static LogicKind LogicKindOf(string key) => key switch
    {
        "for" => LogicKind.For,
        "for-glob" => LogicKind.ForGlob,
        "for-times" => LogicKind.ForTimes,
        "for-readline" => LogicKind.ForReadline,
        "if-opt" => LogicKind.IfOpt,
        "if-not-opt" => LogicKind.IfNotOpt,
        "if-env" or "ifenv" => LogicKind.IfEnv,
        "if-not-env" => LogicKind.IfNotEnv,
        "if-reload" => LogicKind.IfReload,
        "if-not-reload" => LogicKind.IfNotReload,
        "if-exists" or "ifexists" => LogicKind.IfExists,
        "if-not-exists" => LogicKind.IfNotExists,
        "if-file" => LogicKind.IfFile,
        "if-not-file" => LogicKind.IfNotFile,
        "if-dir" or "ifdir" or "if-directory" => LogicKind.IfDir,
        "if-not-dir" => LogicKind.IfNotDir,
        "if-plugin" or "ifplugin" => LogicKind.IfPlugin,
        "if-not-plugin" => LogicKind.IfNotPlugin,
        "if-hostname" => LogicKind.IfHostname,
        "if-not-hostname" => LogicKind.IfNotHostname,
        "if-hostname-match" => LogicKind.IfHostnameMatch,
        "if-not-hostname-match" => LogicKind.IfNotHostnameMatch,
        _ => LogicKind.None,
    };

    private void StartLogic(LogicKind kind, ExportedOption opener)
    {
        if (_logic != LogicKind.None)
        {
            Error(opener.Location, ConfigDiagnosticCode.RecursiveLogic, ConfigMessages.RecursiveLogic(opener.Key, _logicOpener?.Key ?? "?"));
            return;
        }

        _logic = kind;
        _logicArg = opener.Value;
        _logicOpener = opener;
    }

    private void RunLogic(string key, string? value, ConfigLocation location, IncludeFrame? frame)
    {
        _logicRunning = true;
        try
        {
            var data = _logicArg ?? string.Empty;
            switch (_logic)
            {
                case LogicKind.For:
                    foreach (var item in data.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        Emit(item);
                    }

                    break;
                case LogicKind.ForGlob:
                    if (_host.Glob(data) is { } matches)
                    {
                        foreach (var match in matches)
                        {
                            Emit(match);
                        }
                    }
                    else
                    {
                        Warn(location, ConfigDiagnosticCode.LogicFileUnreadable, ConfigMessages.GlobFailed(data));
                    }

                    break;
                case LogicKind.ForTimes:
                    var times = CNumbers.AtoI(data);
                    for (var i = 1; i <= times && !_tooMany; i++)
                    {
                        Emit(i.ToString(CultureInfo.InvariantCulture));
                    }

                    break;
                case LogicKind.ForReadline:
                    ForReadline(data, location, Emit);
                    break;
                case LogicKind.IfOpt or LogicKind.IfNotOpt or LogicKind.IfEnv or LogicKind.IfNotEnv:
                    IfValue(data, Emit);
                    break;
                case LogicKind.IfReload:
                    // This loader always builds a first start: is_a_reload is false.
                    break;
                case LogicKind.IfNotReload:
                    AddOption(key, value, location, frame);
                    break;
                default:
                    if (Condition(data, location))
                    {
                        Emit(data);
                    }

                    break;
            }
        }
        finally
        {
            _logicRunning = false;
        }

        void Emit(string? replacement) =>
            AddOption(key, value is null || replacement is null ? value : value.Replace("%(_)", replacement, StringComparison.Ordinal), location, frame);
    }

    /// <summary>if-opt / if-env and their negations, with the NAME=VALUE form; <c>%(_)</c> is the found value.</summary>
    private void IfValue(string data, Action<string?> emit)
    {
        var eq = data.IndexOf('=', StringComparison.Ordinal);
        var name = eq >= 0 ? data[..eq] : data;
        var found = _logic is LogicKind.IfOpt or LogicKind.IfNotOpt ? FirstOptionValue(name) : _environment.GetValueOrDefault(name);
        var negated = _logic is LogicKind.IfNotOpt or LogicKind.IfNotEnv;
        var matches = found is not null && (eq < 0 || string.Equals(data[(eq + 1)..], found, StringComparison.Ordinal));
        if (matches != negated)
        {
            emit(found);
        }
    }

    private bool Condition(string data, ConfigLocation location) => _logic switch
    {
        LogicKind.IfExists => _host.IsReadable(data),
        LogicKind.IfNotExists => !_host.IsReadable(data),
        LogicKind.IfFile => _host.IsRegularFile(data),
        LogicKind.IfNotFile => !_host.IsRegularFile(data),
        LogicKind.IfDir => _host.IsDirectory(data),
        LogicKind.IfNotDir => !_host.IsDirectory(data),
        LogicKind.IfPlugin => false,
        LogicKind.IfNotPlugin => true,
        LogicKind.IfHostname => string.Equals(_host.Facts.Hostname, data, StringComparison.Ordinal),
        LogicKind.IfNotHostname => !string.Equals(_host.Facts.Hostname, data, StringComparison.Ordinal),
        LogicKind.IfHostnameMatch => HostnameMatches(data, location) == true,
        LogicKind.IfNotHostnameMatch => HostnameMatches(data, location) == false,
        _ => false,
    };

    private bool? HostnameMatches(string pattern, ConfigLocation location)
    {
        try
        {
            return Regex.IsMatch(_host.Facts.Hostname, pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
        }
        catch (ArgumentException ex)
        {
            Error(location, ConfigDiagnosticCode.InvalidRegex, ConfigMessages.InvalidRegex(pattern, ex.Message));
            return null;
        }
        catch (RegexMatchTimeoutException ex)
        {
            Error(location, ConfigDiagnosticCode.InvalidRegex, ConfigMessages.InvalidRegex(pattern, ex.Message));
            return null;
        }
    }

    /// <summary>for-readline: fgets with a 1024-byte buffer, so lines longer than 1023 bytes come in pieces; each
    /// piece loses its trailing CR/LF.</summary>
    private void ForReadline(string file, ConfigLocation location, Action<string> emit)
    {
        var read = _host.ReadFile(file, _limits.MaxFileBytes);
        if (read.Status != HostReadStatus.Ok)
        {
            Warn(location, ConfigDiagnosticCode.LogicFileUnreadable, ConfigMessages.LogicFileUnreadable("for-readline", file, read.Error ?? "too large"));
            return;
        }

        var text = ConfigDecoder.Decode(read.Data.Span, file, _diagnostics);
        var start = 0;
        while (start < text.Length && !_tooMany)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline + 1;
            var pieceEnd = start;
            var bytes = 0;
            while (pieceEnd < end)
            {
                var width = char.IsHighSurrogate(text[pieceEnd]) && pieceEnd + 1 < end ? 2 : 1;
                var size = System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(pieceEnd, width));
                if (bytes + size > 1023)
                {
                    break;
                }

                bytes += size;
                pieceEnd += width;
            }

            pieceEnd = Math.Max(pieceEnd, start + 1);
            emit(text[start..pieceEnd].TrimEnd('\r', '\n'));
            start = pieceEnd;
        }
    }

    private string? FirstOptionValue(string key)
    {
        foreach (var option in _options)
        {
            if (string.Equals(option.Key, key, StringComparison.Ordinal))
            {
                return option.Value;
            }
        }

        return null;
    }
}
