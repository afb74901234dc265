using System.Runtime.InteropServices;

namespace Emperor.Unix.Tests;

/// <summary>
/// Raw process calls for making a zombie on purpose: a child the runtime does not know about, so
/// nobody reaps it until the test calls waitpid.
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
}
