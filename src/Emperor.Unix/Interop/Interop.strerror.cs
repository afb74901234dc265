using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint strerror_native(int errnum);

    /// <summary>The C library text for an errno value (e.g. "No such file or directory").</summary>
    public static string strerror(int errnum) => Marshal.PtrToStringUTF8(strerror_native(errnum)) ?? $"errno {errnum}";
}
