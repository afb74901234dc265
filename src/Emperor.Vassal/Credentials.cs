using System.Runtime.InteropServices;
using Emperor.Core.VassalRole;
using Emperor.Unix.Accounts;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// The ids a vassal drops to, resolved from names before any chroot (the account databases live outside
/// it), and applied in uWSGI's order: supplementary groups, gid, uid (spec §11; core/utils.c uwsgi_as_root).
/// With both uid and gid the account's groups are taken (initgroups) unless <c>no-initgroups</c>; <c>add-gid</c>
/// groups are added to them.
/// </summary>
internal sealed record Credentials(uint? Uid, uint? Gid, uint[]? Groups)
{
    public static Credentials Resolve(VassalPlan plan)
    {
        uint? uid = null, gid = null;
        string? userName = null;
        if (plan.Uid is { } u)
        {
            if (!Accounts.TryUser(u, out var id, out _, out userName))
            {
                throw new VassalFailure($"uid {u}: no such user");
            }

            uid = id;
        }

        if (plan.Gid is { } g)
        {
            if (!Accounts.TryGroup(g, out var id))
            {
                throw new VassalFailure($"gid {g}: no such group");
            }

            gid = id;
        }

        var extra = new List<uint>();
        foreach (var name in plan.AddGids)
        {
            if (!Accounts.TryGroup(name, out var id))
            {
                throw new VassalFailure($"add-gid {name}: no such group");
            }

            extra.Add(id);
        }

        uint[]? groups = null;
        if (gid is { } newGid)
        {
            var list = new List<uint>();
            if (plan.InitGroups && userName is not null)
            {
                list.AddRange(Accounts.GroupsOf(userName, newGid));
            }

            list.AddRange(extra);
            groups = [.. list.Distinct()];
        }
        else if (extra.Count > 0)
        {
            groups = [.. extra.Distinct()];
        }

        return new Credentials(uid, gid, groups);
    }

    public void Apply(bool privileged)
    {
        if (Groups is { } groups && (privileged || groups.Length > 0))
        {
            SetGroups(groups);
        }

        if (Gid is { } gid && Sys.setgid(gid) != 0)
        {
            throw new VassalFailure($"setgid({gid}): {Errno()}");
        }

        if (Uid is { } uid && Sys.setuid(uid) != 0)
        {
            throw new VassalFailure($"setuid({uid}): {Errno()}");
        }
    }

    private static unsafe void SetGroups(uint[] groups)
    {
        fixed (uint* g = groups)
        {
            if (Sys.setgroups((nuint)groups.Length, g) != 0)
            {
                throw new VassalFailure($"setgroups({string.Join(',', groups)}): {Errno()}");
            }
        }
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}
