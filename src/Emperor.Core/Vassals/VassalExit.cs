namespace Emperor.Core.Vassals;

/// <summary>How a vassal process ended: an exit code, or the signal that killed it.</summary>
internal readonly record struct VassalExit(int? ExitCode, int? Signal)
{
    public static VassalExit FromWaitStatus(int exitCode) =>
        exitCode > 128 && exitCode < 128 + 65 ? new VassalExit(null, exitCode - 128) : new VassalExit(exitCode, null);

    public override string ToString() => Signal is { } s ? $"killed by signal {s}" : $"exit code {ExitCode}";
}
