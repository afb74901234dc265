using System.Runtime.InteropServices;

namespace Emperor.Unix.Interop;

/// <summary>
/// posix_spawn(3) and the attribute / file-action calls it needs. One API, so one file: the calls are meaningless
/// apart. glibc implements posix_spawn with clone(CLONE_VM | CLONE_VFORK): the child runs only libc code until its
/// exec, which is what makes it safe from a multithreaded runtime. The opaque structs are allocated by the caller
/// (<see cref="SpawnStructBytes"/> is larger than glibc's 80 and 336 bytes).
/// </summary>
internal static partial class Sys
{
    public const int SpawnStructBytes = 1024;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Returns 0 or an errno (not through errno).</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static unsafe partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static unsafe partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static unsafe partial int posix_spawn_file_actions_destroy(void* fileActions);

    /// <summary>With <paramref name="fd"/> == <paramref name="newFd"/> glibc (≥ 2.29) clears FD_CLOEXEC in the child only.</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static unsafe partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    public static unsafe partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static unsafe partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static unsafe partial int posix_spawnattr_init(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static unsafe partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static unsafe partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static unsafe partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static unsafe partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
}
