using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Emperor.Testing;

/// <summary>
/// Starts a child that inherits chosen fds, the way the Emperor hands a vassal its link.
/// </summary>
/// <remarks>
/// .NET cannot pick fds for one child, so the chosen fds lose FD_CLOEXEC for the moment of
/// <see cref="Process.Start(ProcessStartInfo)"/> and get it back right after. Any other child
/// started in that moment would inherit them too, so every test spawn goes through the one lock
/// here: start children only through this class (or <see cref="TestProcess"/>).
/// </remarks>
public static class ChildLauncher
{
    private static readonly Lock s_spawnLock = new();

    public static Process Start(ProcessStartInfo start, params ReadOnlySpan<int> inheritedFds)
    {
        ArgumentNullException.ThrowIfNull(start);
        lock (s_spawnLock)
        {
            foreach (var fd in inheritedFds)
            {
                SetCloseOnExec(fd, false);
            }

            try
            {
                return Process.Start(start) ?? throw new InvalidOperationException($"Process.Start returned no process for '{start.FileName}'.");
            }
            finally
            {
                foreach (var fd in inheritedFds)
                {
                    SetCloseOnExec(fd, true);
                }
            }
        }
    }

    private static void SetCloseOnExec(int fd, bool on)
    {
        if (Libc.fcntl(fd, Libc.FSetFd, on ? Libc.FdCloexec : 0) != 0)
        {
            throw new IOException($"fcntl({fd}, F_SETFD) failed with errno {Marshal.GetLastPInvokeError()}; is the fd open?");
        }
    }
}
