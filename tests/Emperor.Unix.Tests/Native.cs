using System.Runtime.InteropServices;

namespace Emperor.Unix.Tests;

/// <summary>
/// Raw calls the tests need: making a zombie on purpose (a child the runtime does not know about, so nobody reaps
/// it until the test calls waitpid), and fd juggling (dup, dup2, open) for handing fds to the adapters under test.
/// </summary>
internal static unsafe partial class Native
{
    [LibraryImport("libc")]
    private static partial int posix_spawn(int* pid, byte* path, nint fileActions, nint attributes, byte** argv, byte** envp);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    /// <summary>posix_spawn(<paramref name="path"/>) with no arguments and an empty environment.</summary>
    public static int SpawnUnreaped(string path)
    {
        var pathBytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int pid;
        fixed (byte* p = pathBytes)
        {
            var argv = stackalloc byte*[] { p, null };
            var envp = stackalloc byte*[] { null };
            var error = posix_spawn(&pid, p, 0, 0, argv, envp);
            if (error != 0)
            {
                throw new InvalidOperationException($"posix_spawn({path}) failed with error {error}.");
            }
        }

        return pid;
    }

    /// <summary>Reaps <paramref name="pid"/>; true if it was our child and is now gone.</summary>
    public static bool Reap(int pid)
    {
        int status;
        return waitpid(pid, &status, 0) == pid;
    }

    public const int ORdwr = 2;
    public const int OCloexec = 0x80000;

    public const int FDupfdCloexec = 1030;

    /// <summary>fcntl is variadic; only the int-argument commands are used (F_DUPFD_CLOEXEC).</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int link(string existing, string newPath);
}
