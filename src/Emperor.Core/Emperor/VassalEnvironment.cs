using System.Text;

namespace Emperor.Core.Emperor;

/// <summary>
/// The environment a vassal gets (spec §10.1): the Emperor's, without <c>UWSGI_RELOADS</c> and the
/// Emperor's own <c>NOTIFY_SOCKET</c>, with every <c>UWSGI_VASSAL_X=v</c> turned into <c>UWSGI_X=v</c>. Unlike
/// uWSGI 2.0.21 (off-by-one bug, REPORT.md #12) every variable is carried over, and the path magic variables
/// (<c>%n %p %s %d %e %c %%</c>) in those values are expanded for the vassal's file, as its docs promise.
/// </summary>
internal static class VassalEnvironment
{
    private const string VassalPrefix = "UWSGI_VASSAL_";

    public static List<KeyValuePair<string, string>> Build(
        IReadOnlyList<KeyValuePair<string, string>> emperorEnvironment, string? vassalPath)
    {
        var result = new List<KeyValuePair<string, string>>(emperorEnvironment.Count);
        var rewritten = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in emperorEnvironment)
        {
            if (key is "UWSGI_RELOADS" or "NOTIFY_SOCKET" or "UWSGI_EMPEROR_FD" or "UWSGI_EMPEROR_FD_CONFIG")
            {
                continue;
            }

            if (key.StartsWith(VassalPrefix, StringComparison.Ordinal) && key.Length > VassalPrefix.Length)
            {
                rewritten.Add(new("UWSGI_" + key[VassalPrefix.Length..], ExpandPathMagic(value, vassalPath)));
                continue;
            }

            result.Add(new(key, value));
        }

        foreach (var kv in rewritten)
        {
            result.RemoveAll(e => e.Key == kv.Key);
            result.Add(kv);
        }

        return result;
    }

    /// <summary>Expands the magic variables that depend only on the vassal's path (spec §12.3).</summary>
    public static string ExpandPathMagic(string value, string? path)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        path ??= string.Empty;
        var slash = path.LastIndexOf('/');
        var dir = slash >= 0 ? path[..(slash + 1)] : string.Empty;
        var file = slash >= 0 ? path[(slash + 1)..] : path;
        var dot = file.LastIndexOf('.');
        var ext = dot >= 0 ? file[(dot + 1)..] : string.Empty;
        var bare = dot >= 0 ? file[..dot] : file;
        var trimmedDir = dir.TrimEnd('/');
        var parent = trimmedDir[(trimmedDir.LastIndexOf('/') + 1)..];
        var sb = new StringBuilder(value.Length + 32);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%' || i + 1 >= value.Length)
            {
                sb.Append(value[i]);
                continue;
            }

            var c = value[++i];
            switch (c)
            {
                case 'p': sb.Append(path); break;
                case 's': sb.Append(file); break;
                case 'd': sb.Append(dir); break;
                case 'e': sb.Append(ext); break;
                case 'n': sb.Append(bare); break;
                case 'c': sb.Append(parent); break;
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(c); break;
            }
        }

        return sb.ToString();
    }
}
