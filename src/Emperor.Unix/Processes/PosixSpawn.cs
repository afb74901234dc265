using System.Runtime.InteropServices;
using System.Text;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// Starts a program with posix_spawn(3): a new session (so the child leads its own process group from its first
/// instruction), an empty signal mask, every signal at its default disposition (the runtime ignores SIGPIPE, and an
/// ignored signal survives exec), stdin from /dev/null (or a given fd: an on-demand socket), the given cwd, and exactly the listed descriptors inherited
/// (each <c>adddup2(fd, fd)</c> clears FD_CLOEXEC in the child only, so no other thread's spawn can inherit them).
/// </summary>
/// <remarks>
/// Why posix_spawn and not fork: after fork in a multithreaded runtime only async-signal-safe code may run, and
/// managed code is not that. glibc's posix_spawn runs the child on a vfork-style clone inside libc until the exec.
/// What posix_spawn cannot do (credentials, PR_SET_PDEATHSIG) the exec'd child set-up does
/// (<see cref="ChildSetup"/>).
/// </remarks>
internal static class PosixSpawn
{
    private const int ORdonly = 0;

    /// <summary>Returns the pid, or 0 with <paramref name="errno"/>.</summary>
    public static unsafe int Start(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<KeyValuePair<string, string>> environment,
        string workingDirectory,
        ReadOnlySpan<int> inherit,
        out int errno,
        int stdin = -1,
        (int Stdout, int Stderr)? output = null)
    {
        var strings = new List<nint>(argv.Count + environment.Count + 3);
        var fileActions = NativeMemory.AllocZeroed(Sys.SpawnStructBytes);
        var attr = NativeMemory.AllocZeroed(Sys.SpawnStructBytes);
        var sigset = NativeMemory.AllocZeroed(Sys.SigsetBytes);
        var all = (byte*)NativeMemory.AllocZeroed(Sys.SigsetBytes);
        var argvBlock = (byte**)NativeMemory.AllocZeroed((nuint)((argv.Count + 1) * sizeof(nint)));
        var envBlock = (byte**)NativeMemory.AllocZeroed((nuint)((environment.Count + 1) * sizeof(nint)));
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                argvBlock[i] = Utf8(argv[i], strings);
            }

            for (var i = 0; i < environment.Count; i++)
            {
                envBlock[i] = Utf8(environment[i].Key + "=" + environment[i].Value, strings);
            }

            // Every catchable signal back to SIG_DFL (bits 1..64 but SIGKILL and SIGSTOP, which cannot be caught).
            for (var sig = 1; sig <= Core.Signals.Max; sig++)
            {
                if (sig is not (Core.Signals.Sigkill or Core.Signals.Sigstop))
                {
                    all[(sig - 1) / 8] |= (byte)(1 << ((sig - 1) % 8));
                }
            }

            Check(Sys.posix_spawnattr_init(attr));
            Check(Sys.posix_spawnattr_setflags(attr, Sys.POSIX_SPAWN_SETSID | Sys.POSIX_SPAWN_SETSIGMASK | Sys.POSIX_SPAWN_SETSIGDEF));
            Check(Sys.posix_spawnattr_setsigmask(attr, sigset));
            Check(Sys.posix_spawnattr_setsigdefault(attr, all));
            Check(Sys.posix_spawn_file_actions_init(fileActions));
            Check(stdin >= 0
                ? Sys.posix_spawn_file_actions_adddup2(fileActions, stdin, 0)
                : Sys.posix_spawn_file_actions_addopen(fileActions, 0, Utf8("/dev/null", strings), ORdonly, 0));
            Check(Sys.posix_spawn_file_actions_addchdir_np(fileActions, Utf8(workingDirectory, strings)));
            if (output is { } o)
            {
                // Captured output (docs/logs.md): the pipes' write ends become the child's fds 1 and 2.
                Check(Sys.posix_spawn_file_actions_adddup2(fileActions, o.Stdout, 1));
                Check(Sys.posix_spawn_file_actions_adddup2(fileActions, o.Stderr, 2));
            }

            foreach (var fd in inherit)
            {
                Check(Sys.posix_spawn_file_actions_adddup2(fileActions, fd, fd));
            }

            int pid;
            errno = Sys.posix_spawn(&pid, Utf8(path, strings), fileActions, attr, argvBlock, envBlock);
            return errno == 0 ? pid : 0;
        }
        finally
        {
            _ = Sys.posix_spawn_file_actions_destroy(fileActions);
            _ = Sys.posix_spawnattr_destroy(attr);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }

            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            NativeMemory.Free(all);
            NativeMemory.Free(argvBlock);
            NativeMemory.Free(envBlock);
        }
    }

    private static unsafe byte* Utf8(string s, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)count + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, count));
        p[count] = 0;
        owned.Add((nint)p);
        return p;
    }

    private static void Check(int rc)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException($"posix_spawn set-up failed: {Sys.strerror(rc)}");
        }
    }
}
