using System.Runtime.InteropServices;
using System.Text;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Processes;

/// <summary>
/// execve(2) from a .NET process. Before the exec, signal dispositions and the mask are put back to what a
/// freshly started program expects: the runtime ignores SIGPIPE and blocks some signals on its threads, and
/// execve keeps both.
/// </summary>
internal static class Exec
{
    /// <summary>Replaces the process image. Returns only on failure, with the errno.</summary>
    public static unsafe int Execve(string path, IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment)
    {
        ResetSignals();
        var envList = environment.Select(kv => kv.Key + "=" + kv.Value).ToList();
        var pathBytes = Utf8Z(path);
        var argvPtrs = new nint[argv.Count + 1];
        var envPtrs = new nint[envList.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                argvPtrs[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            }

            for (var i = 0; i < envList.Count; i++)
            {
                envPtrs[i] = Marshal.StringToCoTaskMemUTF8(envList[i]);
            }

            fixed (byte* p = pathBytes)
            fixed (nint* a = argvPtrs)
            fixed (nint* e = envPtrs)
            {
                Sys.execve(p, (byte**)a, (byte**)e);
                return Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            foreach (var ptr in argvPtrs.Concat(envPtrs))
            {
                if (ptr != 0)
                {
                    Marshal.FreeCoTaskMem(ptr);
                }
            }
        }
    }

    /// <summary>Default disposition for every catchable signal, empty mask.</summary>
    public static unsafe void ResetSignals()
    {
        for (var sig = 1; sig < 32; sig++)
        {
            if (sig is 9 or 19)
            {
                continue;
            }

            Sys.signal(sig, Sys.SIG_DFL);
        }

        byte* empty = stackalloc byte[Sys.SigsetBytes];
        new Span<byte>(empty, Sys.SigsetBytes).Clear();
        Sys.sigprocmask(Sys.SIG_SETMASK, empty, null);
    }

    private static byte[] Utf8Z(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
