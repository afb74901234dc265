using System.Text;
using Emperor.Core.Config;
using Emperor.Unix.Config;

namespace Emperor.Unix.Net;

/// <summary>
/// Where an on-demand vassal's socket name comes from (spec §13.2): a small file beside the vassal file
/// (<c>--emperor-on-demand-extension</c>) or a command's output (<c>--emperor-on-demand-exec</c>); in both, the text up
/// to the first byte below 32.
/// </summary>
internal static class OnDemandNames
{
    private const int MaxBytes = 4096;

    /// <summary>The file's first line, or null when it is absent, not a regular file, unreadable or empty.</summary>
    public static string? ReadFirstLine(string path)
    {
        try
        {
            if (!File.Exists(path) || (File.GetAttributes(path) & FileAttributes.Directory) != 0)
            {
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            var buffer = new byte[MaxBytes];
            var n = stream.ReadAtLeast(buffer, MaxBytes, throwOnEndOfStream: false);
            return FirstLine(buffer.AsSpan(0, n));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Runs <c>CMD "NAME"</c> through /bin/sh on the thread pool (10 s at most) and answers its first line, or null.</summary>
    public static Task<string?> RunExecAsync(string command, string vassal) => Task.Run(() =>
    {
        // The vassal name goes in as "$1", never pasted into the command text.
        var result = SystemConfigHost.RunShell(command + " \"$1\"", [vassal], MaxBytes, TimeSpan.FromSeconds(10));
        return result.Status == HostReadStatus.Ok && result.ExitCode == 0 ? FirstLine(result.Data.Span) : null;
    });

    private static string? FirstLine(ReadOnlySpan<byte> data)
    {
        var end = 0;
        while (end < data.Length && data[end] >= 32)
        {
            end++;
        }

        return end == 0 ? null : Encoding.UTF8.GetString(data[..end]);
    }
}
