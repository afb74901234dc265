using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>pidfd_open(2), glibc ≥ 2.36, Linux ≥ 5.3. A pidfd names one process for good: no pid-reuse race.</summary>
    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    public static partial int pidfd_open(int pid, uint flags);
}
