namespace Emperor.Cli;

/// <summary>
/// Where an Emperor opens its command socket when no <c>--emperor-command-socket</c> is given, and where the
/// control commands look for one: <c>$EMPEROR_RUNTIME_DIR</c> if set, else <c>/run/emperor</c> for root and
/// <c>$XDG_RUNTIME_DIR</c> for everyone else; the file is <c>emperor.sock</c>, or <c>emperor-NAME.sock</c> for an
/// Emperor started with <c>--emperor-id NAME</c>.
/// </summary>
internal static class CommandSocketPlace
{
    public const string Prefix = "emperor";

    public const string Suffix = ".sock";

    /// <summary>The directory of default sockets, or null when there is none (no root, no XDG_RUNTIME_DIR).</summary>
    public static string? Directory(bool isRoot)
    {
        var overridden = Environment.GetEnvironmentVariable("EMPEROR_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(overridden))
        {
            return overridden;
        }

        if (isRoot)
        {
            return "/run/emperor";
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(xdg) ? null : xdg;
    }

    public static string FileName(string? id) => id is null ? Prefix + Suffix : $"{Prefix}-{id}{Suffix}";

    /// <summary>The Emperor's id a default socket file name stands for ("" for the unnamed one), or null when it is not one.</summary>
    public static string? IdOf(string fileName) =>
        fileName == Prefix + Suffix ? string.Empty
        : fileName.StartsWith(Prefix + "-", StringComparison.Ordinal) && fileName.EndsWith(Suffix, StringComparison.Ordinal) && fileName.Length > Prefix.Length + 1 + Suffix.Length
            ? fileName[(Prefix.Length + 1)..^Suffix.Length]
            : null;
}
