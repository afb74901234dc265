using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Emperor.Testing;

/// <summary>
/// An AF_UNIX stream socketpair shaped like the emperor link (spec §7.1): <see cref="Parent"/> is the
/// Emperor's end, <see cref="ChildFd"/> the end to hand to a child through <see cref="ChildLauncher"/>
/// (as <c>UWSGI_EMPEROR_FD</c>) and then close here with <see cref="CloseChildEnd"/>.
/// Both ends are created with SOCK_CLOEXEC, so no other child inherits them by accident.
/// </summary>
public sealed class SocketPair : IDisposable
{
    private SafeFileHandle? _child;

    private SocketPair(Socket parent, SafeFileHandle child, string parentTarget, string childTarget)
    {
        Parent = parent;
        _child = child;
        ParentTarget = parentTarget;
        ChildTarget = childTarget;
    }

    public Socket Parent { get; }

    /// <summary>The child end's fd number in this process (and, once inherited, in the child).</summary>
    public int ChildFd => _child is { IsClosed: false } child
        ? (int)child.DangerousGetHandle()
        : throw new InvalidOperationException("The child end has been closed in this process.");

    /// <summary>readlink of the parent end (<c>socket:[inode]</c>), e.g. for <see cref="LeakGuard.WatchFdTarget"/>.</summary>
    public string ParentTarget { get; }

    /// <summary>readlink of the child end (<c>socket:[inode]</c>), which a child's report shows.</summary>
    public string ChildTarget { get; }

    public static SocketPair Create()
    {
        var fds = new int[2];
        unsafe
        {
            fixed (int* sv = fds)
            {
                if (Libc.socketpair(Libc.AfUnix, Libc.SockStream | Libc.SockCloexec, 0, sv) != 0)
                {
                    throw new IOException($"socketpair(AF_UNIX, SOCK_STREAM) failed with errno {Marshal.GetLastPInvokeError()}.");
                }
            }
        }

        var child = new SafeFileHandle(fds[1], ownsHandle: true);
        var targets = ProcessTree.OpenFds(Environment.ProcessId);
        return new SocketPair(
            new Socket(new SafeSocketHandle(fds[0], ownsHandle: true)),
            child,
            targets[fds[0]],
            targets[fds[1]]);
    }

    /// <summary>Closes this process's copy of the child end (after the child has inherited it).</summary>
    public void CloseChildEnd()
    {
        _child?.Dispose();
        _child = null;
    }

    public void SendByte(byte value) => _ = Parent.Send([value]);

    /// <summary>The next byte from the child, or -1 once the child end is closed everywhere (EOF).</summary>
    /// <exception cref="TimeoutException">Nothing arrived within <paramref name="deadline"/>.</exception>
    public async Task<int> ReceiveByteAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var buffer = new byte[1];
        try
        {
            return await Parent.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0 ? -1 : buffer[0];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No byte and no EOF on the link within {deadline.TotalSeconds:0.###} s.");
        }
    }

    public void Dispose()
    {
        Parent.Dispose();
        CloseChildEnd();
    }
}
