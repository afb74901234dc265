namespace Emperor.Core.Config.Loading;

/// <summary>
/// One entry of uWSGI's <c>exported_opts</c> while the configuration is being built (core/config.c
/// <c>add_exported_option_do</c>): key, value, the <c>configured</c> flag that hides it from the expansion passes,
/// and where it came from (for diagnostics and include-cycle detection).
/// </summary>
internal sealed class ExportedOption(string key, string? value, ConfigLocation location, IncludeFrame? frame)
{
    private string? _value = value;
    private ConfigArgument? _shared;

    public string Key { get; } = key;

    /// <summary>The value; when the option loaded a file, the shared argument string as the reader left it.</summary>
    public string? Value
    {
        get => _shared?.Current ?? _value;
        set
        {
            _value = value;
            _shared = null;
        }
    }

    /// <summary>Applied already (immediate options, set-placeholder entries); the passes skip such values.</summary>
    public bool Configured { get; set; }

    /// <summary>Defined by set-placeholder / set-ph (exempt from strict mode).</summary>
    public bool PlaceholderOnly { get; set; }

    public ConfigLocation Location { get; } = location;

    /// <summary>The file being read when this option was added (<see langword="null"/> for command line and environment).</summary>
    public IncludeFrame? Frame { get; } = frame;

    /// <summary>From now on the value reads the shared argument string (see <see cref="ConfigArgument"/>).</summary>
    public ConfigArgument ShareArgument()
    {
        var argument = _shared ?? new ConfigArgument(_value ?? string.Empty);
        _shared = argument;
        return argument;
    }
}
