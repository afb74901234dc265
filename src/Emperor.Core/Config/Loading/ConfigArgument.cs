namespace Emperor.Core.Config.Loading;

/// <summary>
/// A config file argument (<c>app.ini:section</c>) as the single mutable C string uWSGI shares between the option
/// value, <c>%o</c>/<c>%O</c> and <c>%x</c>/<c>%X</c>. The readers cut it at the section colon while they read
/// (INI and YAML put the colon back afterwards, JSON never does, XML writes the colon over the first character of
/// the id), and <c>--show-config</c> and later magic variables print whatever the string holds at that time.
/// core/ini.c, core/yaml.c, core/json.c, core/xmlconf.c; core/uwsgi.c <c>config_magic_table_fill</c>.
/// </summary>
internal sealed class ConfigArgument
{
    private int _cutAt = -1;
    private bool _xmlMangled;

    public ConfigArgument(string text)
    {
        Text = text;
    }

    /// <summary>The argument as given.</summary>
    public string Text { get; }

    /// <summary>What the C string reads now.</summary>
    public string Current => _cutAt < 0 ? Text : Text[.._cutAt];

    /// <summary>The section part after <paramref name="colon"/>, as the <c>%x</c> pointer reads it now.</summary>
    public string SectionAfter(int colon)
    {
        if (colon + 1 >= Text.Length)
        {
            return string.Empty;
        }

        return _xmlMangled && colon == _cutAt ? ":" + Text[(colon + 2)..] : Text[(colon + 1)..];
    }

    /// <summary>The reader writes NUL over the colon.</summary>
    public void Cut(int colon) => _cutAt = colon;

    /// <summary>The reader puts the colon back.</summary>
    public void Restore() => _cutAt = -1;

    /// <summary>core/xmlconf.c restores "the colon" through a pointer already moved past it.</summary>
    public void MangleXml(int colon)
    {
        _cutAt = colon;
        _xmlMangled = true;
    }
}
