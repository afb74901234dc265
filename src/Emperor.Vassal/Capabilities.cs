using System.Runtime.InteropServices;
using Emperor.Core.VassalRole;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// <c>cap = LIST</c>: capabilities that survive the uid drop and the exec (issue #15 §2). Before the drop, keep-caps
/// keeps the permitted set through setuid; after it the effective, permitted and inheritable sets become exactly the
/// list, and each capability is raised in the ambient set, which is what a program without file capabilities gets
/// after execve (uWSGI 2.0 stops at the inheritable set, so its exec'd patch lost them).
/// </summary>
/// <remarks>
/// Capability sets and keep-caps belong to a thread: all of this runs on the thread that later calls execve.
/// </remarks>
internal static class Capabilities
{
    public static void BeforeDrop(JailPlan jail)
    {
        if (jail.Capabilities.Count > 0 && Sys.prctl(Sys.PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
        {
            throw new VassalFailure($"cap: prctl(PR_SET_KEEPCAPS): {Errno()}");
        }
    }

    public static unsafe void AfterDrop(JailPlan jail)
    {
        if (jail.Capabilities.Count == 0)
        {
            return;
        }

        var header = new Sys.CapHeader { Version = Sys.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc Sys.CapData[2];
        data[0] = default;
        data[1] = default;
        foreach (var cap in jail.Capabilities)
        {
            var bit = 1u << (cap % 32);
            data[cap / 32].Effective |= bit;
            data[cap / 32].Permitted |= bit;
            data[cap / 32].Inheritable |= bit;
        }

        if (Sys.capset(&header, data) != 0)
        {
            throw new VassalFailure($"cap {Names(jail)}: capset(): {Errno()}");
        }

        foreach (var cap in jail.Capabilities)
        {
            if (Sys.prctl(Sys.PR_CAP_AMBIENT, Sys.PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            {
                throw new VassalFailure($"cap {CapabilityNames.Name(cap)}: prctl(PR_CAP_AMBIENT_RAISE): {Errno()}");
            }
        }
    }

    private static string Names(JailPlan jail) => string.Join(',', jail.Capabilities.Select(CapabilityNames.Name));

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}
