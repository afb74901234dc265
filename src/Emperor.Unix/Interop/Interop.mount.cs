using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    public const ulong MS_REC = 0x4000;
    public const ulong MS_PRIVATE = 1 << 18;

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int mount(string? source, string target, string? fileSystemType, ulong flags, nint data);
}
