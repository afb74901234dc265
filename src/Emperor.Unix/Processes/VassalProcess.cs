using Emperor.Core.Abstractions;
using Emperor.Core.Protocol;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>A started vassal: its pid, its link, and signalling of its process group.</summary>
internal sealed class VassalProcess(int pid, SocketLink link, SocketLink? configLink) : IVassalProcess
{
    public int Pid { get; } = pid;

    public IVassalLink Link => link;

    public SocketLink? ConfigLink => configLink;

    public bool SignalGroup(int signal)
    {
        // The child leads its own session from its first instruction (POSIX_SPAWN_SETSID), so its pgid is its pid.
        return Sys.kill(-Pid, signal) == 0;
    }

    public bool KillLeftovers() => Sys.kill(-Pid, Core.Signals.Sigkill) == 0;

    public bool PushConfig(byte[] config)
    {
        if (configLink is null)
        {
            return false;
        }

        // As at spawn: the vassal reads it when it starts again; a vassal that never does only costs a buffer.
        _ = configLink.SendAllAsync(ConfigFrame.Encode(config), CancellationToken.None).ContinueWith(
            static t => _ = t.Exception, TaskScheduler.Default);
        return true;
    }

    public bool IgnoresSignal(int signal)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return (mask & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Gone, or not ours to read: assume the signal works.
        }

        return false;
    }

    public void Dispose()
    {
        link.Dispose();
        configLink?.Dispose();
    }
}
