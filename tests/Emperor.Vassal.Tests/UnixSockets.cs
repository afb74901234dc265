using System.Globalization;

namespace Emperor.Vassal.Tests;

/// <summary>/proc/net/unix: which UNIX socket (by inode) is bound to which path or abstract name (<c>@name</c>).</summary>
internal static class UnixSockets
{
    /// <summary>The bound name of the socket with this inode, or null if it is not listed or not bound.</summary>
    public static string? BoundName(uint inode)
    {
        // "Num RefCount Protocol Flags Type St Inode Path": the path, if any, is the 8th column.
        foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            var columns = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length >= 7 && uint.Parse(columns[6], CultureInfo.InvariantCulture) == inode)
            {
                return columns.Length == 8 ? columns[7].Trim() : null;
            }
        }

        return null;
    }

    /// <summary>The inode in a readlink target such as <c>socket:[1234]</c>.</summary>
    public static uint InodeOf(string fdTarget)
    {
        ArgumentNullException.ThrowIfNull(fdTarget);
        return fdTarget.StartsWith("socket:[", StringComparison.Ordinal) && fdTarget.EndsWith(']')
            ? uint.Parse(fdTarget["socket:[".Length..^1], CultureInfo.InvariantCulture)
            : throw new FormatException($"'{fdTarget}' is not a socket.");
    }
}
