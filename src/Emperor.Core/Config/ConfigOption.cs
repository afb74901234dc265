namespace Emperor.Core.Config;

/// <summary>
/// One entry of the final option list (uWSGI's <c>exported_opts</c>), in order. Repeated keys are kept.
/// </summary>
/// <param name="Key">Option or placeholder name.</param>
/// <param name="Value">The expanded value; <see langword="null"/> for a value-less command-line flag such as
/// <c>--master</c> (shown by <c>--show-config</c> as <c>true</c>).</param>
internal readonly record struct ConfigOption(string Key, string? Value);
