namespace Emperor.Testing;

/// <summary>
/// The fields of /proc/PID/stat that tests care about. <see cref="State"/> is R, S, D, Z (zombie), T, t, X or I.
/// </summary>
public readonly record struct ProcessStat(int Pid, string Command, char State, int ParentPid, int ProcessGroup, int Session)
{
    public bool IsZombie => State is 'Z' or 'X';
}
