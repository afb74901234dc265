namespace Emperor.Core.Abstractions;

/// <summary>
/// Starts vassal processes. The implementation owns reaping: the callback given to
/// <see cref="Launch"/> is called once, from any thread, with the pid and the wait status
/// (exit code, or 128 + signal).
/// </summary>
internal interface IVassalLauncher
{
    LaunchResult Launch(LaunchRequest request, Action<int, int> onExit);

    /// <summary>A vassal's process group is gone for good (its leader exited and the leftovers were killed).</summary>
    void Forget(int pid)
    {
    }
}
