using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int SOL_SOCKET = 1;
    public const int SO_PASSCRED = 16;
    public const int SCM_CREDENTIALS = 2;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_CTRUNC = 0x8;

    /// <summary>struct iovec (x86_64/arm64 LP64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (LP64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static unsafe partial nint recvmsg(int sockfd, MsgHdr* msg, int flags);
}
