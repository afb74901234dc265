namespace Emperor.Core.Config.Loading;

/// <summary>
/// uWSGI's 256-entry magic table (spec §12.3): every <c>%X</c> pre-filled with "" (so unknown letters vanish),
/// <c>%%</c> → "%", <c>%(</c> → "%(" (left for the placeholder pass), the static process facts, and the per-file
/// entries that <see cref="SetPath"/> computes. The table is global and persists across files, as in uWSGI.
/// core/utils.c <c>init_magic_table</c>, core/uwsgi.c <c>uwsgi_setup</c> and <c>config_magic_table_fill</c>.
/// </summary>
internal sealed class MagicTable
{
    private const string UpperFrozen = "ODSPCENXIJ";
    private readonly string[] _values = new string[128];
    private ConfigArgument? _o;
    private ConfigArgument? _oUpper;
    private ConfigArgument? _x;
    private int _xColon;
    private ConfigArgument? _xUpper;
    private int _xUpperColon;
    private bool _firstRoundDone;

    /// <summary>The first config argument whole (before its section is cut off): the vassal's name for %a, %w, %q.</summary>
    private string? _vassal;

    public MagicTable(ConfigHostFacts facts)
    {
        Array.Fill(_values, string.Empty);
        _values['%'] = "%";
        _values['('] = "%(";
        _values['v'] = facts.Cwd;
        _values['h'] = facts.Hostname;
        _values['t'] = facts.StartTimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values['T'] = facts.StartTimeMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values['V'] = facts.Version;
        _values['k'] = facts.CpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values['['] = "\u001b";
        var uid = unchecked((int)facts.Uid).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var gid = unchecked((int)facts.Gid).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values['u'] = uid;
        _values['U'] = facts.UserName ?? uid;
        _values['g'] = gid;
        _values['G'] = facts.GroupName ?? gid;
    }

    /// <summary>uwsgi_opt_load sets this while it loads so included files do not freeze the upper-case entries.</summary>
    public bool FirstRoundDone
    {
        get => _firstRoundDone;
        set => _firstRoundDone = value;
    }

    /// <summary>The replacement for <c>%c</c>; "" for any character not in the table.</summary>
    public string this[char c] => c switch
    {
        'o' => _o?.Current ?? _values['o'],
        'O' => _oUpper?.Current ?? _values['O'],
        'x' => _x?.SectionAfter(_xColon) ?? _values['x'],
        'X' => _xUpper?.SectionAfter(_xUpperColon) ?? _values['X'],
        'a' => VassalName(),
        'w' => VassalNameWithoutSection(),
        'q' => VassalNumber(VassalName()),
        < (char)128 => _values[c],
        _ => string.Empty,
    };

    /// <summary>
    /// Ours (letters uWSGI leaves empty): <c>%a</c> is the vassal's name as the Emperor calls it — the first config
    /// argument (frozen like <c>%O</c>) without an <c>emperor://</c> prefix, e.g. <c>sites.ini:shop</c>, <c>app.ini</c>
    /// for a pushed config; "" when the argument is not a vassal's.
    /// </summary>
    private string VassalName()
    {
        if (_vassal is null)
        {
            return string.Empty;
        }

        return _vassal.StartsWith("emperor://", StringComparison.Ordinal) ? _vassal["emperor://".Length..] : _vassal;
    }

    /// <summary>
    /// Ours: <c>%w</c>, <c>%a</c> without its <c>:SECTION</c> (the file of a multi-vassal file's section). Taken from
    /// the argument, not uWSGI's <c>%O</c>/<c>%X</c>, which a pushed <c>emperor://FILE:SECTION</c> leaves empty (scheme
    /// URLs fill no file variables) while its sections must still know whose they are.
    /// </summary>
    private string VassalNameWithoutSection()
    {
        var name = VassalName();
        var colon = name.LastIndexOf(':');
        if (name.Contains("://", StringComparison.Ordinal) && colon < name.LastIndexOf('/'))
        {
            return name;
        }

        return colon > 0 ? name[..colon] : name;
    }

    /// <summary>
    /// Ours: <c>%q</c>, a number 0–9999 derived from <c>%a</c> (djb33x, as <c>%j</c>), stable across restarts and hosts,
    /// for ports such as <c>127.0.0.1:%(8000 + %q)</c>. Different names can share a number (with 100 vassals, about a
    /// 40% chance that two do): give the clashing ones a port of their own.
    /// </summary>
    internal static string VassalNumber(string name)
    {
        if (name.Length == 0)
        {
            return string.Empty;
        }

        uint hash = 5381;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            hash = unchecked(((hash << 5) + hash) ^ (uint)(sbyte)b);
        }

        return (hash % 10000).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sets <c>%o</c> only (scheme URLs and stdin stop there).</summary>
    public void SetOriginal(ConfigArgument argument)
    {
        _o = argument;
        if (_vassal is null && !_firstRoundDone)
        {
            _vassal = argument.Current;
        }
    }

    /// <summary>Sets the per-file entries from the computed absolute path <paramref name="fullPath"/>.</summary>
    public void SetPath(string fullPath, string binaryPath, ulong? inode)
    {
        _values['b'] = binaryPath;
        _values['p'] = fullPath;
        _values['j'] = HashHex(fullPath);
        if (inode is { } ino)
        {
            // uwsgi_num2str(st.st_ino): the inode goes through an int.
            _values['i'] = unchecked((int)ino).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var slash = fullPath.LastIndexOf('/');
        var name = fullPath[(slash + 1)..];
        var dir = fullPath[..(slash + 1)];
        _values['s'] = name;
        _values['d'] = dir;
        var dirNoSlash = dir.EndsWith('/') ? dir[..^1] : dir;
        var lastSlash = dirNoSlash.LastIndexOf('/');
        _values['c'] = lastSlash >= 0 ? dirNoSlash[(lastSlash + 1)..] : string.Empty;
        for (var n = '0'; n <= '9'; n++)
        {
            _values[n] = string.Empty;
        }

        var digit = '0';
        foreach (var part in dirNoSlash.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (digit > '9')
            {
                break;
            }

            _values[digit++] = part;
        }

        var dot = name.LastIndexOf('.');
        _values['e'] = dot >= 0 ? name[(dot + 1)..] : string.Empty;
        _values['n'] = dot >= 0 ? name[..dot] : name;
    }

    /// <summary>Sets <c>%x</c> (a view of the argument after <paramref name="colon"/>, or "" when there is none)
    /// and, on the first round, freezes the upper-case entries.</summary>
    public void SetSectionAndFreeze(ConfigArgument argument, int colon)
    {
        if (colon >= 0)
        {
            _x = argument;
            _xColon = colon;
        }
        else
        {
            _x = null;
            _values['x'] = string.Empty;
        }

        if (_firstRoundDone)
        {
            return;
        }

        _oUpper = _o;
        _values['O'] = _values['o'];
        foreach (var upper in UpperFrozen)
        {
            if (upper is not 'O' and not 'X')
            {
                _values[upper] = _values[char.ToLowerInvariant(upper)];
            }
        }

        _xUpper = _x;
        _xUpperColon = _xColon;
        _values['X'] = _values['x'];
        _firstRoundDone = true;
    }

    /// <summary>%j: the djb33x hash of the path (over signed chars, as C does), its 4 bytes in memory order as
    /// upper-case hex. core/hash.c <c>djb33x_hash</c>, core/utils.c <c>uwsgi_str_to_hex</c>.</summary>
    internal static string HashHex(string path)
    {
        uint hash = 5381;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = System.Text.Encoding.UTF8.GetByteCount(path) <= buffer.Length
            ? buffer[..System.Text.Encoding.UTF8.GetBytes(path, buffer)]
            : System.Text.Encoding.UTF8.GetBytes(path);
        foreach (var b in bytes)
        {
            hash = unchecked(((hash << 5) + hash) ^ (uint)(sbyte)b);
        }

        Span<byte> le = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(le, hash);
        return Convert.ToHexString(le);
    }
}
