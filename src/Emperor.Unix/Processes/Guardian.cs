using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Emperor.Unix.Processes;

/// <summary>
/// The guardian: a tiny POSIX shell process (about 1 MB; a second copy of our Native AOT runtime would cost
/// 11 MB), told over a pipe which vassal process groups exist. If the Emperor dies — even by SIGKILL — the
/// pipe reaches EOF and the guardian SIGKILLs every group it knows, so an app's own children (which
/// PR_SET_PDEATHSIG does not cover: it is not inherited across fork) do not outlive the Emperor. On a clean
/// shutdown the Emperor says "bye" and the guardian leaves without killing anything. It ignores SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT, so a Ctrl-C or a SIGTERM to the Emperor's process group cannot take it first.
/// </summary>
/// <remarks>
/// Implementation notes. The Emperor side never blocks its event loop on the pipe: lines are queued and
/// written by one background thread. Lines: <c>+PGID</c>, <c>-PGID</c>, <c>=DIR</c> (a vassal's cgroup, with
/// <c>--emperor-cgroup</c>: at EOF its <c>cgroup.kill</c> is written, or without one every pid in its
/// <c>cgroup.procs</c> is SIGKILLed, so a daemon that left its vassal's group dies with the Emperor too), <c>bye</c>.
/// </remarks>
internal sealed class Guardian : IDisposable
{
    /// <summary>
    /// The guardian itself. Groups are kept as " 12 34 " (space-separated, space-framed); removal is pure
    /// parameter expansion, no process per line.
    /// </summary>
    private const string Script = """
        trap '' INT TERM HUP QUIT
        groups=' '
        cgroups=''
        while IFS= read -r line; do
          case "$line" in
            bye) exit 0 ;;
            +*) groups="$groups${line#+} " ;;
            -*) g="${line#-}"
                case "$groups" in *" $g "*) groups="${groups%% $g *} ${groups#* $g }" ;; esac ;;
            =*) cgroups="$cgroups${line#=}
        " ;;
          esac
        done
        for g in $groups; do kill -9 "-$g" 2>/dev/null; done
        printf '%s' "$cgroups" | while IFS= read -r d; do
          if [ -e "$d/cgroup.kill" ]; then echo 1 2>/dev/null > "$d/cgroup.kill"
          elif [ -e "$d/cgroup.procs" ]; then for p in $(cat "$d/cgroup.procs"); do kill -9 "$p" 2>/dev/null; done
          fi
        done
        exit 0
        """;

    private readonly Process? _process;
    private readonly BlockingCollection<string> _lines = new(new ConcurrentQueue<string>());
    private readonly ConcurrentDictionary<string, byte> _cgroups = new(StringComparer.Ordinal);
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
    public static Guardian Start()
    {
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(Script);
            psi.ArgumentList.Add("emperor-guardian");
            return new Guardian(Process.Start(psi));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new Guardian(null);
        }
    }

    public void Track(int pgid) => _lines.TryAdd("+" + pgid.ToString(CultureInfo.InvariantCulture));

    public void Untrack(int pgid) => _lines.TryAdd("-" + pgid.ToString(CultureInfo.InvariantCulture));

    /// <summary>A vassal's cgroup directory, killed too if the Emperor dies (told once per directory).</summary>
    public void TrackCgroup(string directory)
    {
        if (!directory.Contains('\n', StringComparison.Ordinal) && _cgroups.TryAdd(directory, 0))
        {
            _lines.TryAdd("=" + directory);
        }
    }

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
}
