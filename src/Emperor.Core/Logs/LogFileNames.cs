namespace Emperor.Core.Logs;

/// <summary>
/// Where <c>--emperor-log-dir DIR</c> puts a vassal's lines: <c>DIR/NAME.log</c> for stdout and <c>DIR/NAME.err.log</c>
/// for stderr in the text format, both streams in <c>DIR/NAME.log</c> in the JSON format (each line names its stream);
/// rotated copies are <c>NAME.log.1</c> (newest) to <c>NAME.log.N</c>. A <c>/</c> in a vassal name (pg:// names may
/// have one) becomes <c>_</c>, so every file stays inside DIR.
/// </summary>
internal static class LogFileNames
{
    public static string FileName(string vassal, VassalStream stream, LogFormat format)
    {
        var safe = vassal.Replace('/', '_').Replace('\0', '_');
        if (safe is "." or "..")
        {
            safe = "_" + safe;
        }

        return stream == VassalStream.Stderr && format == LogFormat.Text ? safe + ".err.log" : safe + ".log";
    }

    /// <summary>The name of backup number <paramref name="n"/> (1 = newest) of <paramref name="path"/>.</summary>
    public static string Backup(string path, int n) => path + "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
