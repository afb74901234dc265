using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// Whatever a process inherited without close-on-exec (a shell's or a test runner's extra fds) would reach every
/// child it spawns: posix_spawn passes every fd that is not close-on-exec. The Emperor marks all of its fds above 2
/// close-on-exec once at start, so that its children get exactly the descriptors the spawner lists
/// (<see cref="PosixSpawn"/>). The runtime opens its own fds close-on-exec, so this holds for the whole run.
/// </summary>
internal static class InheritedFds
{
    public static void MarkCloseOnExec() => Sys.close_range(3, uint.MaxValue, Sys.CLOSE_RANGE_CLOEXEC);
}
