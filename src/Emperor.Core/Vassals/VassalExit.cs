namespace Emperor.Core.Vassals;

/// <summary>How a vassal process ended: an exit code, or the signal that killed it (both null: not known).</summary>
internal readonly record struct VassalExit(int? ExitCode, int? Signal)
{
    /// <summary>The status was lost (another reaper collected it).</summary>
    public static VassalExit Unknown => default;

    public static VassalExit Exited(int code) => new(code, null);

    public static VassalExit Killed(int signal) => new(null, signal);

    /// <summary>Decodes a waitpid(2) status word (WIFEXITED / WTERMSIG).</summary>
    public static VassalExit FromWaitStatus(int status) =>
        (status & 0x7f) == 0 ? Exited((status >> 8) & 0xff) : Killed(status & 0x7f);

    public override string ToString() => (ExitCode, Signal) switch
    {
        (_, { } s) => $"killed by signal {s}",
        ({ } c, _) => $"exit code {c}",
        _ => "exit status unknown",
    };
}
