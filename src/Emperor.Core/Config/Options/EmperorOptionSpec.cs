namespace Emperor.Core.Config.Options;

/// <summary>
/// One row of <see cref="EmperorOptionCatalog"/>: what <c>--help</c>, <c>help OPTION</c>, the man page, shell
/// completion and value validation know about an option.
/// </summary>
/// <param name="Name">The option name, exactly uWSGI's where uWSGI has it.</param>
/// <param name="Group">Its heading in <c>--help</c>.</param>
/// <param name="Kind">What its value must look like.</param>
/// <param name="Metavar">The value's placeholder in usage text (empty for a flag).</param>
/// <param name="Default">The default as shown to users, or null when there is none.</param>
/// <param name="Summary">One line for <c>--help</c>.</param>
/// <param name="Details">The long text for <c>emperor help OPTION</c> and the man page.</param>
/// <param name="Uwsgi">True when uWSGI has this option with the same name and meaning.</param>
/// <param name="Aliases">Other names of the same option (uWSGI's aliases).</param>
internal sealed record EmperorOptionSpec(
    string Name,
    EmperorOptionGroup Group,
    OptionValueKind Kind,
    string Metavar,
    string? Default,
    string Summary,
    string Details,
    bool Uwsgi,
    IReadOnlyList<string> Aliases)
{
    /// <summary>True when the option may be given more than once and every value counts.</summary>
    public bool Repeatable { get; init; }
}
