namespace Emperor.Core.Config;

/// <summary>One problem found while reading or expanding a configuration.</summary>
/// <param name="Location">Where the problem is.</param>
/// <param name="Severity">Error (uWSGI would refuse it) or warning (uWSGI accepts it).</param>
/// <param name="Code">Stable identifier, for tests and tooling.</param>
/// <param name="Message">A sentence that says what is wrong and how to fix it (see <see cref="ConfigMessages"/>).</param>
internal sealed record ConfigDiagnostic(ConfigLocation Location, ConfigSeverity Severity, ConfigDiagnosticCode Code, string Message)
{
    /// <summary>
    /// The message as one line: messages quote what the user wrote (a section header, an option, a parser's view
    /// of a token), which may hold CR, LF or other control characters (see <see cref="OneLineText"/>).
    /// </summary>
    public string Message { get; init => field = OneLineText.Escape(value); } = OneLineText.Escape(Message);

    /// <summary>Formats as <c>FILE:LINE:COL: error|warning: message</c>, the shape compilers use.</summary>
    public override string ToString() =>
        $"{Location}: {(Severity == ConfigSeverity.Error ? "error" : "warning")}: {Message}";
}
