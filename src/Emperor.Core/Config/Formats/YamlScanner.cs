using System.Globalization;
using System.Text;

namespace Emperor.Core.Config.Formats;

/// <summary>
/// A YAML 1.1 token scanner that produces the token stream of libyaml's <c>yaml_parser_scan</c> (the scanner the
/// Debian uWSGI build drives in core/yaml.c), for the parts of YAML a configuration uses: block and flow
/// collections, simple and explicit keys, plain, quoted and block scalars, comments, document markers, anchors,
/// aliases and tags (as tokens only). It follows the structure described by the YAML 1.1 specification and used by
/// libyaml and PyYAML: an indentation stack, per-flow-level "possible simple keys" that turn into KEY tokens
/// (inserted back into the queue) when a ':' follows, and BLOCK-END tokens when the indentation drops.
/// Implementation notes: tokens are produced lazily (pull), so an error after the point where the reader stops is
/// never reported, as with libyaml; every fetch consumes input or ends the stream, so scanning terminates; the
/// first error stops the scanner and is kept in <see cref="Error"/>.
/// </summary>
internal sealed class YamlScanner
{
    private readonly string _text;
    private readonly int _maxDepth;
    private readonly List<YamlToken> _tokens = [];
    private readonly List<int> _indents = [];
    private readonly List<SimpleKey> _simpleKeys = [];
    private int _head;
    private int _pos;
    private int _line;
    private int _column;
    private int _tokensTaken;
    private int _flowLevel;
    private int _indent = -1;
    private bool _simpleKeyAllowed;
    private bool _streamStarted;
    private bool _done;

    public YamlScanner(string text, int maxDepth)
    {
        _text = text;
        _maxDepth = maxDepth;
    }

    /// <summary>The first error: a message and the offset it refers to.</summary>
    public (string Message, int Offset, bool TooDeep)? Error { get; private set; }

    /// <summary>Returns the next token, or <see langword="false"/> at the end of the stream or on an error.</summary>
    public bool Next(out YamlToken token)
    {
        token = default;
        while (Error is null && NeedMoreTokens())
        {
            FetchMoreTokens();
        }

        if (Error is not null || _head >= _tokens.Count)
        {
            return false;
        }

        token = _tokens[_head++];
        _tokensTaken++;
        if (_head > 64 && _head * 2 > _tokens.Count)
        {
            _tokens.RemoveRange(0, _head);
            _head = 0;
        }

        return true;
    }

    private static bool IsBreak(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private bool IsZ(int ahead = 0) => _pos + ahead >= _text.Length || _text[_pos + ahead] == '\0';

    private bool IsBlankZ(int ahead = 0) => IsZ(ahead) || IsBlank(Peek(ahead)) || IsBreak(Peek(ahead));

    private bool IsBreakZ(int ahead = 0) => IsZ(ahead) || IsBreak(Peek(ahead));

    private void Skip()
    {
        _pos++;
        _column++;
    }

    /// <summary>Consumes one line break (CR LF counts as one) and returns it normalised to '\n'.</summary>
    private string SkipLine()
    {
        var c = Peek();
        if (c == '\r' && Peek(1) == '\n')
        {
            _pos += 2;
        }
        else
        {
            _pos++;
        }

        _line++;
        _column = 0;
        return c is '\u2028' or '\u2029' ? c.ToString() : "\n";
    }

    private void Fail(string message, int offset)
    {
        Error ??= (message, offset, false);
        _done = true;
    }

    private bool NeedMoreTokens()
    {
        if (_done)
        {
            return false;
        }

        if (_head >= _tokens.Count)
        {
            return true;
        }

        StaleSimpleKeys();
        foreach (var key in _simpleKeys)
        {
            if (key.Possible && key.TokenNumber == _tokensTaken)
            {
                return true;
            }
        }

        return false;
    }

    private void Add(YamlTokenKind kind, int offset, string? value = null) => _tokens.Add(new YamlToken(kind, value, offset));

    private void FetchMoreTokens()
    {
        if (!_streamStarted)
        {
            _streamStarted = true;
            _indent = -1;
            _simpleKeyAllowed = true;
            _simpleKeys.Add(default);
            Add(YamlTokenKind.StreamStart, 0);
            return;
        }

        ScanToNextToken();
        StaleSimpleKeys();
        if (Error is not null)
        {
            return;
        }

        UnrollIndent(_column);
        var c = Peek();
        if (IsZ())
        {
            FetchStreamEnd();
            return;
        }

        if (_column == 0 && c == '%')
        {
            FetchDirective();
            return;
        }

        if (_column == 0 && IsDocumentIndicator())
        {
            FetchDocumentIndicator(c == '-' ? YamlTokenKind.DocumentStart : YamlTokenKind.DocumentEnd);
            return;
        }

        switch (c)
        {
            case '[':
                FetchFlowCollectionStart(YamlTokenKind.FlowSequenceStart);
                return;
            case '{':
                FetchFlowCollectionStart(YamlTokenKind.FlowMappingStart);
                return;
            case ']':
                FetchFlowCollectionEnd(YamlTokenKind.FlowSequenceEnd);
                return;
            case '}':
                FetchFlowCollectionEnd(YamlTokenKind.FlowMappingEnd);
                return;
            case ',':
                RemoveSimpleKey();
                _simpleKeyAllowed = true;
                Add(YamlTokenKind.FlowEntry, _pos);
                Skip();
                return;
            case '-' when IsBlankZ(1):
                FetchBlockEntry();
                return;
            case '?' when _flowLevel > 0 || IsBlankZ(1):
                FetchKey();
                return;
            case ':' when _flowLevel > 0 || IsBlankZ(1):
                FetchValue();
                return;
            case '*':
                FetchAnchor(YamlTokenKind.Alias);
                return;
            case '&':
                FetchAnchor(YamlTokenKind.Anchor);
                return;
            case '!':
                FetchTag();
                return;
            case '|' when _flowLevel == 0:
                FetchBlockScalar(literal: true);
                return;
            case '>' when _flowLevel == 0:
                FetchBlockScalar(literal: false);
                return;
            case '\'':
                FetchFlowScalar(single: true);
                return;
            case '"':
                FetchFlowScalar(single: false);
                return;
            default:
                break;
        }

        var indicator = IsBlankZ() || "-?:,[]{}#&*!|>'\"%@`".Contains(c, StringComparison.Ordinal);
        if (!indicator || (c == '-' && !IsBlank(Peek(1))) || (_flowLevel == 0 && c is '?' or ':' && !IsBlankZ(1)))
        {
            FetchPlainScalar();
            return;
        }

        Fail($"found character '{c}' that cannot start any token", _pos);
    }

    private bool IsDocumentIndicator()
    {
        var c = Peek();
        return c is '-' or '.' && Peek(1) == c && Peek(2) == c && IsBlankZ(3);
    }

    private void ScanToNextToken()
    {
        while (true)
        {
            if (_pos == 0 && Peek() == '\uFEFF')
            {
                _pos++;
            }

            while (Peek() == ' ' || ((_flowLevel > 0 || !_simpleKeyAllowed) && Peek() == '\t'))
            {
                Skip();
            }

            if (Peek() == '#')
            {
                while (!IsBreakZ())
                {
                    Skip();
                }
            }

            if (!IsZ() && IsBreak(Peek()))
            {
                SkipLine();
                if (_flowLevel == 0)
                {
                    _simpleKeyAllowed = true;
                }
            }
            else
            {
                break;
            }
        }
    }

    private void StaleSimpleKeys()
    {
        for (var i = 0; i < _simpleKeys.Count; i++)
        {
            var key = _simpleKeys[i];
            if (key.Possible && (key.Line < _line || key.Offset + 1024 < _pos))
            {
                if (key.Required)
                {
                    Fail("could not find expected ':' after a simple key", key.Offset);
                    return;
                }

                _simpleKeys[i] = default;
            }
        }
    }

    private void SaveSimpleKey()
    {
        var required = _flowLevel == 0 && _indent == _column;
        if (!_simpleKeyAllowed)
        {
            return;
        }

        RemoveSimpleKey();
        _simpleKeys[^1] = new SimpleKey(true, required, _tokensTaken + (_tokens.Count - _head), _pos, _line, _column);
    }

    private void RemoveSimpleKey()
    {
        var key = _simpleKeys[^1];
        if (key.Possible && key.Required)
        {
            Fail("could not find expected ':' after a simple key", key.Offset);
        }

        _simpleKeys[^1] = default;
    }

    private bool CheckDepth()
    {
        if (_indents.Count + _flowLevel >= _maxDepth)
        {
            Error ??= ($"nesting deeper than {_maxDepth} levels", _pos, true);
            _done = true;
            return false;
        }

        return true;
    }

    private void RollIndent(int column, int tokenNumber, YamlTokenKind kind, int offset)
    {
        if (_flowLevel > 0 || _indent >= column || !CheckDepth())
        {
            return;
        }

        _indents.Add(_indent);
        _indent = column;
        var token = new YamlToken(kind, null, offset);
        if (tokenNumber < 0)
        {
            _tokens.Add(token);
        }
        else
        {
            _tokens.Insert(_head + (tokenNumber - _tokensTaken), token);
        }
    }

    private void UnrollIndent(int column)
    {
        if (_flowLevel > 0)
        {
            return;
        }

        while (_indent > column)
        {
            Add(YamlTokenKind.BlockEnd, _pos);
            _indent = _indents[^1];
            _indents.RemoveAt(_indents.Count - 1);
        }
    }

    private void FetchStreamEnd()
    {
        if (_column != 0)
        {
            _column = 0;
            _line++;
        }

        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        Add(YamlTokenKind.StreamEnd, _pos);
        _done = true;
    }

    private void FetchDirective()
    {
        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _pos;
        while (!IsBreakZ() && Peek() != '#')
        {
            Skip();
        }

        Add(YamlTokenKind.Directive, start, _text[start.._pos]);
    }

    private void FetchDocumentIndicator(YamlTokenKind kind)
    {
        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        Add(kind, _pos);
        Skip();
        Skip();
        Skip();
    }

    private void FetchFlowCollectionStart(YamlTokenKind kind)
    {
        SaveSimpleKey();
        if (!CheckDepth())
        {
            return;
        }

        _simpleKeys.Add(default);
        _flowLevel++;
        _simpleKeyAllowed = true;
        Add(kind, _pos);
        Skip();
    }

    private void FetchFlowCollectionEnd(YamlTokenKind kind)
    {
        RemoveSimpleKey();
        if (_flowLevel > 0)
        {
            _flowLevel--;
            _simpleKeys.RemoveAt(_simpleKeys.Count - 1);
        }

        _simpleKeyAllowed = false;
        Add(kind, _pos);
        Skip();
    }

    private void FetchBlockEntry()
    {
        if (_flowLevel == 0)
        {
            if (!_simpleKeyAllowed)
            {
                Fail("block sequence entries are not allowed in this context", _pos);
                return;
            }

            RollIndent(_column, -1, YamlTokenKind.BlockSequenceStart, _pos);
        }

        RemoveSimpleKey();
        _simpleKeyAllowed = true;
        Add(YamlTokenKind.BlockEntry, _pos);
        Skip();
    }

    private void FetchKey()
    {
        if (_flowLevel == 0)
        {
            if (!_simpleKeyAllowed)
            {
                Fail("mapping keys are not allowed in this context", _pos);
                return;
            }

            RollIndent(_column, -1, YamlTokenKind.BlockMappingStart, _pos);
        }

        RemoveSimpleKey();
        _simpleKeyAllowed = _flowLevel == 0;
        Add(YamlTokenKind.Key, _pos);
        Skip();
    }

    private void FetchValue()
    {
        var key = _simpleKeys[^1];
        if (key.Possible)
        {
            _tokens.Insert(_head + (key.TokenNumber - _tokensTaken), new YamlToken(YamlTokenKind.Key, null, key.Offset));
            RollIndent(key.Column, key.TokenNumber, YamlTokenKind.BlockMappingStart, key.Offset);
            _simpleKeys[^1] = default;
            _simpleKeyAllowed = false;
        }
        else
        {
            if (_flowLevel == 0)
            {
                if (!_simpleKeyAllowed)
                {
                    Fail("mapping values are not allowed in this context", _pos);
                    return;
                }

                RollIndent(_column, -1, YamlTokenKind.BlockMappingStart, _pos);
            }

            _simpleKeyAllowed = _flowLevel == 0;
        }

        Add(YamlTokenKind.Value, _pos);
        Skip();
    }

    private void FetchAnchor(YamlTokenKind kind)
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _pos;
        Skip();
        var nameStart = _pos;
        while (char.IsAsciiLetterOrDigit(Peek()) || Peek() is '-' or '_')
        {
            Skip();
        }

        if (_pos == nameStart || !(IsBlankZ() || Peek() is '?' or ':' or ',' or ']' or '}' or '%' or '@' or '`'))
        {
            Fail("did not find expected alphabetic or numeric character after an anchor or alias", _pos);
            return;
        }

        Add(kind, start, _text[nameStart.._pos]);
    }

    private void FetchTag()
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _pos;
        while (!IsBlankZ() && !(_flowLevel > 0 && Peek() == ','))
        {
            Skip();
        }

        Add(YamlTokenKind.Tag, start, _text[start.._pos]);
    }

    private void FetchBlockScalar(bool literal)
    {
        RemoveSimpleKey();
        _simpleKeyAllowed = true;
        var start = _pos;
        Skip();
        var chomping = 0;
        var increment = 0;
        if (Peek() is '+' or '-')
        {
            chomping = Peek() == '+' ? 1 : -1;
            Skip();
            if (char.IsAsciiDigit(Peek()))
            {
                increment = Peek() - '0';
                Skip();
            }
        }
        else if (char.IsAsciiDigit(Peek()))
        {
            increment = Peek() - '0';
            Skip();
            if (Peek() is '+' or '-')
            {
                chomping = Peek() == '+' ? 1 : -1;
                Skip();
            }
        }

        if (increment == 0 && _pos > start + 1 && _text[_pos - 1] == '0')
        {
            Fail("found an indentation indicator equal to 0", _pos - 1);
            return;
        }

        while (IsBlank(Peek()))
        {
            Skip();
        }

        if (Peek() == '#')
        {
            while (!IsBreakZ())
            {
                Skip();
            }
        }

        if (!IsBreakZ())
        {
            Fail("did not find expected comment or line break after a block scalar indicator", _pos);
            return;
        }

        if (!IsZ())
        {
            SkipLine();
        }

        var indent = increment > 0 ? (_indent >= 0 ? _indent + increment : increment) : 0;
        var value = new StringBuilder();
        var leadingBreak = string.Empty;
        var trailingBreaks = new StringBuilder();
        if (!ScanBlockScalarBreaks(ref indent, trailingBreaks))
        {
            return;
        }

        var leadingBlank = false;
        while (_column == indent && !IsZ())
        {
            var trailingBlank = IsBlank(Peek());
            if (!literal && leadingBreak == "\n" && !leadingBlank && !trailingBlank)
            {
                if (trailingBreaks.Length == 0)
                {
                    value.Append(' ');
                }
            }
            else
            {
                value.Append(leadingBreak);
            }

            leadingBreak = string.Empty;
            value.Append(trailingBreaks);
            trailingBreaks.Clear();
            leadingBlank = IsBlank(Peek());
            var lineStart = _pos;
            while (!IsBreakZ())
            {
                Skip();
            }

            value.Append(_text, lineStart, _pos - lineStart);
            if (!IsZ())
            {
                leadingBreak = SkipLine();
            }

            if (!ScanBlockScalarBreaks(ref indent, trailingBreaks))
            {
                return;
            }
        }

        if (chomping != -1)
        {
            value.Append(leadingBreak);
        }

        if (chomping == 1)
        {
            value.Append(trailingBreaks);
        }

        Add(YamlTokenKind.Scalar, start, value.ToString());
    }

    private bool ScanBlockScalarBreaks(ref int indent, StringBuilder trailingBreaks)
    {
        var maxIndent = 0;
        while (true)
        {
            while ((indent == 0 || _column < indent) && Peek() == ' ')
            {
                Skip();
            }

            maxIndent = Math.Max(maxIndent, _column);
            if ((indent == 0 || _column < indent) && Peek() == '\t')
            {
                Fail("found a tab character where an indentation space is expected", _pos);
                return false;
            }

            if (IsZ() || !IsBreak(Peek()))
            {
                break;
            }

            trailingBreaks.Append(SkipLine());
        }

        if (indent == 0)
        {
            indent = Math.Max(Math.Max(maxIndent, _indent + 1), 1);
        }

        return true;
    }

    private void FetchFlowScalar(bool single)
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _pos;
        var quote = single ? '\'' : '"';
        Skip();
        var value = new StringBuilder();
        var whitespaces = new StringBuilder();
        var leadingBreak = string.Empty;
        var trailingBreaks = new StringBuilder();
        while (true)
        {
            if (_column == 0 && IsDocumentIndicator())
            {
                Fail("found unexpected document indicator inside a quoted scalar", _pos);
                return;
            }

            if (IsZ())
            {
                Fail("found unexpected end of stream inside a quoted scalar", start);
                return;
            }

            var leadingBlanks = false;
            while (!IsBlankZ())
            {
                var c = Peek();
                if (single && c == '\'' && Peek(1) == '\'')
                {
                    value.Append('\'');
                    Skip();
                    Skip();
                }
                else if (c == quote)
                {
                    break;
                }
                else if (!single && c == '\\' && !IsZ(1) && IsBreak(Peek(1)))
                {
                    Skip();
                    SkipLine();
                    leadingBlanks = true;
                    break;
                }
                else if (!single && c == '\\')
                {
                    if (!ScanEscape(value))
                    {
                        return;
                    }
                }
                else
                {
                    value.Append(c);
                    Skip();
                }
            }

            if (Peek() == quote && !IsZ())
            {
                break;
            }

            while (!IsZ() && (IsBlank(Peek()) || IsBreak(Peek())))
            {
                if (IsBlank(Peek()))
                {
                    if (!leadingBlanks)
                    {
                        whitespaces.Append(Peek());
                    }

                    Skip();
                }
                else if (!leadingBlanks)
                {
                    whitespaces.Clear();
                    leadingBreak = SkipLine();
                    leadingBlanks = true;
                }
                else
                {
                    trailingBreaks.Append(SkipLine());
                }
            }

            if (leadingBlanks)
            {
                if (leadingBreak == "\n")
                {
                    value.Append(trailingBreaks.Length == 0 ? " " : trailingBreaks.ToString());
                }
                else
                {
                    value.Append(leadingBreak).Append(trailingBreaks);
                }

                leadingBreak = string.Empty;
                trailingBreaks.Clear();
            }
            else
            {
                value.Append(whitespaces);
                whitespaces.Clear();
            }
        }

        Skip();
        Add(YamlTokenKind.Scalar, start, value.ToString());
    }

    private bool ScanEscape(StringBuilder value)
    {
        var escapeStart = _pos;
        Skip();
        var c = Peek();
        var length = 0;
        switch (c)
        {
            case '0': value.Append('\0'); break;
            case 'a': value.Append('\a'); break;
            case 'b': value.Append('\b'); break;
            case 't' or '\t': value.Append('\t'); break;
            case 'n': value.Append('\n'); break;
            case 'v': value.Append('\v'); break;
            case 'f': value.Append('\f'); break;
            case 'r': value.Append('\r'); break;
            case 'e': value.Append('\u001b'); break;
            case ' ': value.Append(' '); break;
            case '"': value.Append('"'); break;
            case '/': value.Append('/'); break;
            case '\'': value.Append('\''); break;
            case '\\': value.Append('\\'); break;
            case 'N': value.Append('\u0085'); break;
            case '_': value.Append('\u00a0'); break;
            case 'L': value.Append('\u2028'); break;
            case 'P': value.Append('\u2029'); break;
            case 'x': length = 2; break;
            case 'u': length = 4; break;
            case 'U': length = 8; break;
            default:
                Fail("found unknown escape character in a double-quoted scalar", escapeStart);
                return false;
        }

        Skip();
        if (length == 0)
        {
            return true;
        }

        if (_pos + length > _text.Length || !uint.TryParse(_text.AsSpan(_pos, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            Fail("did not find expected hexadecimal number in an escape", _pos);
            return false;
        }

        if ((code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
        {
            Fail("found invalid Unicode character escape code", escapeStart);
            return false;
        }

        value.Append(char.ConvertFromUtf32((int)code));
        for (var i = 0; i < length; i++)
        {
            Skip();
        }

        return true;
    }

    private void FetchPlainScalar()
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _pos;
        var indent = _indent + 1;
        var value = new StringBuilder();
        var whitespaces = new StringBuilder();
        var leadingBreak = string.Empty;
        var trailingBreaks = new StringBuilder();
        var leadingBlanks = false;
        while (true)
        {
            if (_column == 0 && IsDocumentIndicator())
            {
                break;
            }

            if (Peek() == '#')
            {
                break;
            }

            while (!IsBlankZ())
            {
                var c = Peek();
                if (c == ':' && (IsBlankZ(1) || (_flowLevel > 0 && Peek(1) is ',' or '[' or ']' or '{' or '}')))
                {
                    break;
                }

                if (_flowLevel > 0 && c is ',' or '[' or ']' or '{' or '}')
                {
                    break;
                }

                if (leadingBlanks || whitespaces.Length > 0)
                {
                    if (leadingBlanks)
                    {
                        if (leadingBreak == "\n")
                        {
                            value.Append(trailingBreaks.Length == 0 ? " " : trailingBreaks.ToString());
                        }
                        else
                        {
                            value.Append(leadingBreak).Append(trailingBreaks);
                        }

                        leadingBreak = string.Empty;
                        trailingBreaks.Clear();
                        leadingBlanks = false;
                    }
                    else
                    {
                        value.Append(whitespaces);
                        whitespaces.Clear();
                    }
                }

                value.Append(c);
                Skip();
            }

            if (IsZ() || !(IsBlank(Peek()) || IsBreak(Peek())))
            {
                break;
            }

            while (!IsZ() && (IsBlank(Peek()) || IsBreak(Peek())))
            {
                if (IsBlank(Peek()))
                {
                    if (leadingBlanks && _column < indent && Peek() == '\t')
                    {
                        Fail("found a tab character that violates indentation", _pos);
                        return;
                    }

                    if (!leadingBlanks)
                    {
                        whitespaces.Append(Peek());
                    }

                    Skip();
                }
                else if (!leadingBlanks)
                {
                    whitespaces.Clear();
                    leadingBreak = SkipLine();
                    leadingBlanks = true;
                }
                else
                {
                    trailingBreaks.Append(SkipLine());
                }
            }

            if (_flowLevel == 0 && _column < indent)
            {
                break;
            }
        }

        if (_pos == start)
        {
            Fail($"found character '{Peek()}' that cannot start any token", _pos);
            return;
        }

        Add(YamlTokenKind.Scalar, start, value.ToString());
        if (leadingBlanks)
        {
            _simpleKeyAllowed = true;
        }
    }

    /// <summary>A place where a simple key may start, remembered until a ':' confirms it or it goes stale.</summary>
    private readonly record struct SimpleKey(bool Possible, bool Required, int TokenNumber, int Offset, int Line, int Column);
}
