using Emperor.Unix.Interop;

namespace Emperor.Cli;

/// <summary>
/// Signals a shell left ignored. A background job of a non-interactive shell starts with SIGINT and SIGQUIT set to
/// SIG_IGN, and nohup sets SIGHUP so. .NET respects an inherited SIG_IGN (System.Native pal_signal.c,
/// <c>InstallSignalHandler</c>: when the current disposition is SIG_IGN it marks the signal handled and installs
/// nothing, so a later <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/> never fires), while
/// uWSGI installs its handlers regardless. The Emperor resets these to SIG_DFL before the runtime first looks at
/// them, so that its handlers (Ragnarok on SIGINT/SIGTERM/SIGQUIT, ...) are installed; the vassal role puts the
/// inherited ignores back before it execs the program, which then inherits them as it would have.
/// </summary>
internal static class InheritedSignals
{
    private const nint SigIgn = 1;

    /// <summary>The signals the Emperor handles (SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGTERM, SIGURG, SIGWINCH).</summary>
    private static readonly int[] s_handled = [1, 2, 3, 10, 15, 23, 28];

    /// <summary>Resets every handled signal that is ignored now to SIG_DFL; returns those it reset.</summary>
    public static IReadOnlyList<int> ResetIgnored()
    {
        var ignored = IgnoredNow();
        var reset = new List<int>();
        foreach (var sig in s_handled)
        {
            if ((ignored & (1UL << (sig - 1))) != 0)
            {
                Sys.signal(sig, Sys.SIG_DFL);
                reset.Add(sig);
            }
        }

        return reset;
    }

    /// <summary>Puts back the ignores <see cref="ResetIgnored"/> took away.</summary>
    public static void Restore(IReadOnlyList<int> signals)
    {
        foreach (var sig in signals)
        {
            Sys.signal(sig, SigIgn);
        }
    }

    /// <summary>The SigIgn mask of /proc/self/status (bit N-1 set: signal N is ignored); 0 when it cannot be read.</summary>
    private static ulong IgnoredNow()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask))
                {
                    return mask;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
