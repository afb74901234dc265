using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// The guardian: a small process of our own executable (<c>emperor --emperor-guardian</c>) in its own
/// session, told over a pipe which vassal process groups exist. If the Emperor dies — even by SIGKILL — the
/// pipe reaches EOF and the guardian SIGKILLs every group it knows, so an app's own children (which
/// PR_SET_PDEATHSIG does not cover: it is not inherited across fork) do not outlive the Emperor. On a clean
/// shutdown the Emperor says "bye" and the guardian leaves without killing anything.
/// </summary>
/// <remarks>
/// Implementation notes. The Emperor side never blocks its event loop on the pipe: lines are queued and
/// written by one background thread. Lines: <c>+PGID</c>, <c>-PGID</c>, <c>bye</c>.
/// </remarks>
internal sealed class Guardian : IDisposable
{
    public const string Flag = "--emperor-guardian";

    private readonly Process? _process;
    private readonly BlockingCollection<string> _lines = new(new ConcurrentQueue<string>());
    private readonly Thread? _writer;

    private Guardian(Process? process)
    {
        _process = process;
        if (process is null)
        {
            return;
        }

        _writer = new Thread(Write) { Name = "guardian-writer", IsBackground = true };
        _writer.Start();
    }

    /// <summary>Starts the guardian. Without one (it could not start) vassals still die by PDEATHSIG.</summary>
    public static Guardian Start(string selfExecutable)
    {
        try
        {
            var psi = new ProcessStartInfo(selfExecutable) { UseShellExecute = false, RedirectStandardInput = true };
            psi.ArgumentList.Add(Flag);
            psi.Environment.Remove(ChildSetupSpec.VariableName);
            return new Guardian(Process.Start(psi));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new Guardian(null);
        }
    }

    public void Track(int pgid) => _lines.TryAdd("+" + pgid.ToString(CultureInfo.InvariantCulture));

    public void Untrack(int pgid) => _lines.TryAdd("-" + pgid.ToString(CultureInfo.InvariantCulture));

    private void Write()
    {
        var input = _process!.StandardInput;
        try
        {
            foreach (var line in _lines.GetConsumingEnumerable())
            {
                input.WriteLine(line);
                if (_lines.Count == 0)
                {
                    input.Flush();
                }
            }

            input.WriteLine("bye");
            input.Flush();
            input.Close();
        }
        catch (IOException)
        {
            // The guardian is gone; vassals still have PDEATHSIG.
        }
    }

    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        _lines.CompleteAdding();
        _writer?.Join(TimeSpan.FromSeconds(5));
        _process.WaitForExit(TimeSpan.FromSeconds(5));
        _process.Dispose();
        _lines.Dispose();
    }

    /// <summary>The guardian process's whole life: read the pipe, and on EOF kill every known group.</summary>
    public static int Run()
    {
        Sys.setsid(); // away from the Emperor's terminal and group: a Ctrl-C or a group kill must not take us
        var groups = new HashSet<int>();
        var stdin = Console.In;
        while (stdin.ReadLine() is { } line)
        {
            if (line == "bye")
            {
                return 0;
            }

            if (line.Length > 1 && int.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var pgid) && pgid > 1)
            {
                _ = line[0] == '+' ? groups.Add(pgid) : groups.Remove(pgid);
            }
        }

        foreach (var pgid in groups)
        {
            Sys.kill(-pgid, 9);
        }

        return 0;
    }
}
