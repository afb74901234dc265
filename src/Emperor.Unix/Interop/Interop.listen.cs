using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

internal static partial class Sys
{
    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    public static partial int listen(int sockfd, int backlog);
}
