using Emperor.Unix.Interop;
using Microsoft.Win32.SafeHandles;

namespace Emperor.Unix.Processes;

/// <summary>An owned file descriptor: closed exactly once, by whoever holds it last (no double close, no leak).</summary>
internal sealed class SafeFd : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeFd(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    public int Fd => (int)handle;

    /// <summary>Hands the descriptor over to a new owner (e.g. a socket); this handle no longer closes it.</summary>
    public int Release()
    {
        var fd = (int)handle;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle() => Sys.close((int)handle) == 0;
}
