using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    /// <summary>SYS_pivot_root: glibc has no wrapper.</summary>
    public static nint SYS_pivot_root => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 41 : 155;

    [LibraryImport("libc", EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint syscall_pivot_root(nint number, string newRoot, string putOld);

    public static int pivot_root(string newRoot, string putOld) => (int)syscall_pivot_root(SYS_pivot_root, newRoot, putOld);
}
