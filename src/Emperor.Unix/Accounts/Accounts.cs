using System.Globalization;
using System.Runtime.InteropServices;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Accounts;

/// <summary>User and group names or numbers to ids, through the C library (so NSS sources count).</summary>
internal static class Accounts
{
    public static bool TryUser(string nameOrId, out uint uid, out uint primaryGid, out string? name)
    {
        name = null;
        primaryGid = 0;
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            var pw = Sys.getpwuid(uid);
            if (pw != 0)
            {
                name = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(pw));
                primaryGid = (uint)Marshal.ReadInt32(pw, 20);
            }

            return true;
        }

        var p = Sys.getpwnam(nameOrId);
        if (p == 0)
        {
            return false;
        }

        uid = (uint)Marshal.ReadInt32(p, 16);
        primaryGid = (uint)Marshal.ReadInt32(p, 20);
        name = nameOrId;
        return true;
    }

    public static bool TryGroup(string nameOrId, out uint gid)
    {
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
        {
            return true;
        }

        var g = Sys.getgrnam(nameOrId);
        if (g == 0)
        {
            return false;
        }

        gid = (uint)Marshal.ReadInt32(g, 16);
        return true;
    }

    /// <summary>
    /// Tyrant mode's supplementary groups for a uid: those of its account (getgrouplist) when the account
    /// exists, else none — never the Emperor's own.
    /// </summary>
    public static uint[] TyrantGroups(uint uid, uint gid)
    {
        var pw = Sys.getpwuid(uid);
        var name = pw == 0 ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(pw));
        return name is null ? [] : GroupsOf(name, gid);
    }

    /// <summary>The supplementary groups of a user's account (getgrouplist), including <paramref name="gid"/>.</summary>
    public static unsafe uint[] GroupsOf(string user, uint gid)
    {
        var n = 64;
        while (true)
        {
            var groups = new uint[n];
            var count = n;
            fixed (uint* g = groups)
            {
                if (Sys.getgrouplist(user, gid, g, &count) >= 0)
                {
                    return groups[..count];
                }
            }

            if (count <= n)
            {
                return [gid];
            }

            n = count;
        }
    }
}
