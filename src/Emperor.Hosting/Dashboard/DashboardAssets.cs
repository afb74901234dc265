using System.Collections.Concurrent;
using System.Text;

namespace Emperor.Hosting.Dashboard;

/// <summary>The page, its script and its style sheet, embedded in the executable (no CDN, no build step).</summary>
internal static class DashboardAssets
{
    private static readonly ConcurrentDictionary<string, byte[]> s_cache = new(StringComparer.Ordinal);

    public static byte[] Get(string name) => s_cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Emperor.Dashboard." + n)
            ?? throw new InvalidOperationException($"the dashboard asset {n} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>index.html with this Emperor's CSRF token in its meta tag.</summary>
    public static byte[] Page(string csrf) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Get("index.html")).Replace("{{CSRF}}", csrf, StringComparison.Ordinal));
}
