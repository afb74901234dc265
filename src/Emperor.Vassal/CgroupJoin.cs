using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Emperor.Core.VassalRole;
using Emperor.Unix.Interop;

namespace Emperor.Vassal;

/// <summary>
/// <c>cgroup = PATH</c> and <c>cgroup-opt = KEY=VALUE</c> (uWSGI 2.0 core/utils.c <c>uwsgi_set_cgroup</c>), first in
/// the jail, before the in-jail hooks: each PATH is created with <c>cgroup-dir-mode</c> (or chmod'ed if it exists),
/// the vassal moves in, then every option is written to PATH/KEY.
/// </summary>
/// <remarks>
/// v1 and v2 alike: the process moves through <c>cgroup.procs</c> (all its threads; uWSGI writes <c>tasks</c>, v1 only,
/// which moves one thread), falling back to <c>tasks</c>. A hybrid host has the memory, pids and cpu controllers on v1
/// and membership only on v2, so an option is written to each cgroup that has the file; one that no cgroup has is an
/// error (uWSGI skips it silently). uWSGI also skips cgroups silently when not root; the vassal role tries (a delegated
/// cgroup works) and a refusal is one line.
/// </remarks>
internal static class CgroupJoin
{
    public static void Join(JailPlan jail)
    {
        var applied = new bool[jail.CgroupOptions.Count];
        foreach (var path in jail.Cgroups)
        {
            Enter(path, jail.CgroupDirMode);
            for (var i = 0; i < jail.CgroupOptions.Count; i++)
            {
                var (key, value) = jail.CgroupOptions[i];
                var file = Path.Combine(path, key);
                if (File.Exists(file))
                {
                    Write(file, value, $"cgroup-opt {key}={value}");
                    applied[i] = true;
                }
            }
        }

        for (var i = 0; i < applied.Length; i++)
        {
            if (!applied[i])
            {
                var (key, value) = jail.CgroupOptions[i];
                throw new VassalFailure($"cgroup-opt {key}={value}: no cgroup has {key} ({string.Join(", ", jail.Cgroups)}); is its controller mounted there?");
            }
        }
    }

    private static void Enter(string path, int mode)
    {
        if (Sys.mkdir(path, (uint)mode) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != 17)
            {
                throw new VassalFailure($"cgroup {path}: mkdir(): {Sys.strerror(errno)}");
            }

            try
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VassalFailure($"cgroup {path}: chmod(): {e.Message}");
            }
        }

        var procs = Path.Combine(path, "cgroup.procs");
        var target = File.Exists(procs) ? procs : Path.Combine(path, "tasks");
        Write(target, Sys.getpid().ToString(CultureInfo.InvariantCulture), $"cgroup {path}");
    }

    private static unsafe void Write(string file, string value, string what)
    {
        var fd = Sys.open(file, Sys.O_WRONLY | Sys.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new VassalFailure($"{what}: open({file}): {Errno()}");
        }

        try
        {
            var bytes = Encoding.UTF8.GetBytes(value + "\n");
            fixed (byte* p = bytes)
            {
                if (Sys.write(fd, p, (nuint)bytes.Length) != bytes.Length)
                {
                    throw new VassalFailure($"{what}: write({file}): {Errno()}");
                }
            }
        }
        finally
        {
            Sys.close(fd);
        }
    }

    private static string Errno() => Sys.strerror(Marshal.GetLastPInvokeError());
}
