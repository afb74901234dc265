using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>glibc's value of _SC_NPROCESSORS_ONLN.</summary>
    public const int SC_NPROCESSORS_ONLN = 84;

    [LibraryImport("libc", EntryPoint = "sysconf", SetLastError = true)]
    public static partial long sysconf(int name);
}
