using System.Text;

namespace Emperor.Core.Config;

/// <summary>
/// The text of uWSGI's <c>--show-config</c> (core/uwsgi.c <c>show_config</c>), byte for byte: a blank line,
/// <c>;uWSGI instance configuration</c>, <c>[uwsgi]</c>, one <c>key = value</c> line per option (a value-less
/// option prints <c>true</c>; values are printed raw, so a value with line breaks spans lines), then
/// <c>;end of configuration</c> and a blank line.
/// </summary>
internal static class ShowConfigFormatter
{
    public const string Header = "\n;uWSGI instance configuration\n[uwsgi]\n";

    public const string Footer = ";end of configuration\n\n";

    public static string Format(IEnumerable<ConfigOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sb = new StringBuilder(Header);
        foreach (var option in options)
        {
            sb.Append(option.Key).Append(" = ").Append(option.Value ?? "true").Append('\n');
        }

        return sb.Append(Footer).ToString();
    }
}
