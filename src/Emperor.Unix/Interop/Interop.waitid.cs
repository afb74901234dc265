using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const int P_PIDFD = 3;
    public const int WNOHANG = 1;
    public const int WEXITED = 4;
    public const int CLD_EXITED = 1;
    public const int CLD_KILLED = 2;
    public const int CLD_DUMPED = 3;
    public const int ECHILD = 10;

    /// <summary>siginfo_t is 128 bytes; for SIGCHLD si_code is at 8, si_pid at 16 and si_status at 24.</summary>
    public const int SiginfoBytes = 128;
    public const int SiCodeOffset = 8;
    public const int SiPidOffset = 16;
    public const int SiStatusOffset = 24;

    /// <summary>waitid(2) with P_PIDFD (Linux ≥ 5.4): the real exit status, code or signal.</summary>
    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    public static unsafe partial int waitid(int idType, int id, byte* siginfo, int options);
}
