using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    public const int PR_SET_KEEPCAPS = 8;
    public const int PR_CAPBSET_READ = 23;
    public const int PR_CAPBSET_DROP = 24;
    public const int CAP_SETPCAP = 8;
    public const int PR_CAP_AMBIENT = 47;
    public const int PR_CAP_AMBIENT_RAISE = 2;

    /// <summary>__user_cap_header_struct.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    /// <summary>__user_cap_data_struct; version 3 takes two of them (capabilities 0-31, 32-63).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    /// <summary>Sets the calling thread's capability sets.</summary>
    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    public static unsafe partial int capset(CapHeader* header, CapData* data);
}
