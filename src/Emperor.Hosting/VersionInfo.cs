namespace Emperor.Hosting;

/// <summary>The version string shown in stats (<c>version</c>) and by <c>--version</c>.</summary>
internal static class VersionInfo
{
    public const string Version = "2.0.30-emperor.0.1";
}
