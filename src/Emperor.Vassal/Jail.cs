using System.Runtime.InteropServices;
using Emperor.Core.VassalRole;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// The namespace steps of the privilege drop, in uWSGI 2.0's order (core/utils.c <c>uwsgi_as_root</c>):
/// <c>unshare</c> first, then (after the post-jail hooks and chroot) <c>pivot_root</c> and <c>unshare2</c>.
/// </summary>
/// <remarks>
/// unshare(2) moves the calling thread only; this runs on the thread that later calls execve, so the program starts in
/// the new namespaces. A new pid namespace takes effect for the program's children (the program itself stays where it
/// is, as with uWSGI's binary patch). A new user namespace is refused by the kernel for a multi-threaded process (the
/// .NET vassal role is one): the line says so.
/// </remarks>
internal static class Jail
{
    /// <summary><c>unshare</c>: true when namespaces were unshared (the post-jail hooks then run).</summary>
    public static bool Unshare(JailPlan jail) => Apply("unshare", jail.Unshare);

    /// <summary><c>pivot_root</c> then <c>unshare2</c>, after chroot.</summary>
    public static void AfterRootChange(JailPlan jail)
    {
        if (jail.PivotRoot is { } pivot)
        {
            PivotRoot(pivot.NewRoot, pivot.PutOld);
        }

        Apply("unshare2", jail.Unshare2);
    }

    private static bool Apply(string option, int mask)
    {
        if (mask == 0)
        {
            return false;
        }

        if (Sys.unshare(mask) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var why = errno == 22 && (mask & NamespaceNames.CloneNewUser) != 0
                ? "; the kernel gives a new user namespace only to a single-threaded process, and the vassal role is not one: start the Emperor with --binary-path /usr/bin/uwsgi"
                : string.Empty;
            throw new VassalFailure($"{option} {NamespaceNames.Describe(mask)}: unshare(): {Sys.strerror(errno)}{why}");
        }

        if ((mask & NamespaceNames.CloneNewUser) != 0 && Sys.setuid(0) != 0)
        {
            throw new VassalFailure($"{option} user: setuid(0): {Errno()}");
        }

        return true;
    }

    private static void PivotRoot(string newRoot, string putOld)
    {
        // As uWSGI: make every mount private first, so the pivot neither propagates out nor is refused (EINVAL on a shared "/").
        if (Sys.mount(null, "/", null, Sys.MS_REC | Sys.MS_PRIVATE, 0) != 0)
        {
            throw new VassalFailure($"pivot-root: mount(/, MS_REC|MS_PRIVATE): {Errno()}");
        }

        if (Sys.chdir(newRoot) != 0)
        {
            throw new VassalFailure($"pivot-root: chdir({newRoot}): {Errno()}");
        }

        if (Sys.pivot_root(".", putOld) != 0)
        {
            throw new VassalFailure($"pivot-root: pivot_root({newRoot}, {putOld}): {Errno()}");
        }

        if (Sys.chdir("/") != 0)
        {
            throw new VassalFailure($"pivot-root: chdir(/): {Errno()}");
        }
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}
