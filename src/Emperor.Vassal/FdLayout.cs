using System.Globalization;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// Lays out the fds an app inherits, right before the exec: the listening sockets at 3, 4, … (systemd's
/// SD_LISTEN_FDS_START), then the emperor link and config link (their variables updated), and every other fd
/// close-on-exec, so the app gets exactly 0–2, its sockets and its link(s). The links get small numbers on
/// purpose: a shell redirection such as <c>&lt;&amp;$UWSGI_EMPEROR_FD</c> only accepts fds 0–9 in dash.
/// </summary>
internal static class FdLayout
{
    private static readonly string[] s_linkVariables = ["UWSGI_EMPEROR_FD", "UWSGI_EMPEROR_FD_CONFIG"];

    public static void Arrange(List<int> socketFds, List<KeyValuePair<string, string>> env)
    {
        var sources = new List<int>(socketFds);
        var linkIndexes = new List<int>();
        foreach (var variable in s_linkVariables)
        {
            var index = env.FindIndex(kv => kv.Key == variable);
            if (index < 0)
            {
                continue;
            }

            if (int.TryParse(env[index].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && fd > 2 && Sys.fcntl(fd, Sys.F_GETFD, 0) >= 0)
            {
                sources.Add(fd);
                linkIndexes.Add(index);
            }
            else
            {
                // Not an open fd of ours (a stale variable from some ancestor): pass nothing rather than a
                // runtime fd that happens to have that number.
                env.RemoveAt(index);
            }
        }

        // Copy everything out of the way first: a source may sit where another one must go.
        var high = 3 + sources.Count + 64;
        var moved = sources.Select(fd => Sys.fcntl(fd, Sys.F_DUPFD, high)).ToList();
        for (var i = 0; i < moved.Count; i++)
        {
            Sys.dup2(moved[i], 3 + i); // dup2 leaves the new fd without FD_CLOEXEC
        }

        for (var k = 0; k < linkIndexes.Count; k++)
        {
            var target = 3 + socketFds.Count + k;
            env[linkIndexes[k]] = new(env[linkIndexes[k]].Key, target.ToString(CultureInfo.InvariantCulture));
        }

        var end = 3 + sources.Count;
        Sys.close_range((uint)end, uint.MaxValue, Sys.CLOSE_RANGE_CLOEXEC);
        for (var fd = 3; fd < end; fd++)
        {
            Sys.fcntl(fd, Sys.F_SETFD, 0);
        }
    }
}
