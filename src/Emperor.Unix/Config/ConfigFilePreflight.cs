using Emperor.Core.Abstractions;
using Emperor.Core.Config;
using Emperor.Unix.FileSystem;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Config;

/// <summary>
/// Reads the start of a vassal file for <see cref="ConfigPreflight"/>: only regular files (a FIFO would block the
/// loop; the monitors already refuse those), at most <see cref="ConfigPreflight.InspectBytes"/>.
/// </summary>
internal static class ConfigFilePreflight
{
    private const int Enoent = 2;

    /// <summary>Null if the file may be started, else why not.</summary>
    public static string? Check(string path)
    {
        if (!UnixFileSystem.Instance.TryStat(path, follow: true, out var status, out var errno))
        {
            return errno == Enoent ? null : $"cannot read it: {Sys.strerror(errno)}"; // gone: the monitor will see it
        }

        if (status.Kind != FileKind.Regular)
        {
            return null;
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[ConfigPreflight.InspectBytes];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
            {
                total += n;
            }

            var complete = total < buffer.Length || RandomAccess.GetLength(handle) == total;
            return ConfigPreflight.Inspect(buffer.AsSpan(0, total), complete);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return "cannot read it: " + e.Message;
        }
    }
}
