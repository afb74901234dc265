using Emperor.Core.Vassals;

namespace Emperor.Core.Abstractions;

/// <summary>
/// Starts vassal processes. The implementation owns reaping: the callback given to <see cref="Launch"/> is called
/// once, from any thread, with the pid and the real exit status (an exit code, or the signal that killed it).
/// </summary>
internal interface IVassalLauncher
{
    LaunchResult Launch(LaunchRequest request, Action<int, VassalExit> onExit);

    /// <summary>A vassal's process group is gone for good (its leader exited and the leftovers were killed).</summary>
    void Forget(int pid)
    {
    }
}
