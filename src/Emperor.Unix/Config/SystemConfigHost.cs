using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Emperor.Core.Config;
using Emperor.Unix.Interop;

namespace Emperor.Unix.Config;

/// <summary>
/// The real <see cref="IConfigHost"/>: the calls uWSGI makes while it reads its configuration — open/read,
/// access(R_OK), stat/lstat (statx), realpath, glob(GLOB_MARK|GLOB_NOCHECK), <c>/bin/sh -c</c> for exec://,
/// getcwd, gethostname, sysconf(SC_NPROCESSORS_ONLN), getuid/getpwuid, getgid/getgrgid, /proc/self/exe — so the
/// pure loader in Emperor.Core computes the same magic variables and conditions uWSGI would.
/// Implementation notes: facts are captured once at construction (uWSGI takes them at startup); the environment
/// is read from /proc/self/environ to keep its order; commands run with standard input closed and a timeout
/// (uWSGI has none) so a hanging command cannot hang the reader.
/// </summary>
internal sealed class SystemConfigHost : IConfigHost
{
    private const int FileTypeMask = 0xF000;
    private const int RegularFileType = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int SymbolicLinkType = 0xA000;
    private readonly ReadOnlyMemory<byte>? _pushedConfig;
    private readonly TimeSpan _commandTimeout;

    public SystemConfigHost(string version, ReadOnlyMemory<byte>? pushedConfig = null, TimeSpan? commandTimeout = null)
    {
        _pushedConfig = pushedConfig;
        _commandTimeout = commandTimeout ?? TimeSpan.FromSeconds(30);
        var now = DateTimeOffset.UtcNow;
        var uid = Sys.getuid();
        var gid = Sys.getgid();
        var cpus = Sys.sysconf(Sys.SC_NPROCESSORS_ONLN);
        Facts = new ConfigHostFacts(
            Cwd: System.Environment.CurrentDirectory,
            Hostname: System.Net.Dns.GetHostName(),
            StartTimeSeconds: now.ToUnixTimeSeconds(),
            StartTimeMicroseconds: (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10,
            Version: version,
            CpuCount: cpus > 0 ? (int)cpus : System.Environment.ProcessorCount,
            Uid: uid,
            UserName: NameAt(Sys.getpwuid(uid)),
            Gid: gid,
            GroupName: NameAt(Sys.getgrgid(gid)),
            BinaryPath: System.Environment.ProcessPath ?? string.Empty);
        Environment = ReadEnvironment();
    }

    public ConfigHostFacts Facts { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    public HostReadResult ReadFile(string path, int maxBytes)
    {
        if (IsDirectory(path))
        {
            return HostReadResult.Failed("Is a directory");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                return HostReadResult.TooLarge(stream.Length);
            }

            // FIFOs and /proc files report no useful size: read to EOF, but never past the limit.
            return ReadBounded(stream, maxBytes);
        }
        catch (FileNotFoundException)
        {
            return HostReadResult.Failed("No such file or directory");
        }
        catch (DirectoryNotFoundException)
        {
            return HostReadResult.Failed("No such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            return HostReadResult.Failed("Permission denied");
        }
        catch (IOException ex)
        {
            return HostReadResult.Failed(ex.Message);
        }
    }

    public HostReadResult ReadPushedConfig(string name, int maxBytes)
    {
        if (_pushedConfig is not { } config)
        {
            return HostReadResult.NotAvailable("this process was not given a config by an Emperor");
        }

        return config.Length > maxBytes ? HostReadResult.TooLarge(config.Length) : HostReadResult.Ok(config);
    }

    /// <summary>
    /// fd 0, read to EOF with read(2), which moves the descriptor's offset as uWSGI's read does (a FileStream would
    /// pread a regular file from offset 0 every time). A terminal waits for Ctrl-D, as with uWSGI.
    /// </summary>
    public unsafe HostReadResult ReadStandardInput(int maxBytes)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            nint read;
            fixed (byte* p = chunk)
            {
                read = Sys.read(0, p, (nuint)chunk.Length);
            }

            if (read < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Sys.EINTR)
                {
                    continue;
                }

                return HostReadResult.Failed(Sys.strerror(errno));
            }

            if (read == 0)
            {
                return HostReadResult.Ok(buffer.ToArray());
            }

            if (buffer.Length + read > maxBytes)
            {
                return HostReadResult.TooLarge(buffer.Length + read);
            }

            buffer.Write(chunk, 0, (int)read);
        }
    }

    public HostReadResult RunCommand(string command, int maxBytes) => RunShell(command, [], maxBytes, _commandTimeout);

    /// <summary>
    /// <c>/bin/sh -c COMMAND sh ARGS…</c> with standard input closed: its output (at most <paramref name="maxBytes"/>)
    /// and exit status, or a failure when it does not finish within <paramref name="timeout"/> (then it is killed).
    /// </summary>
    public static HostReadResult RunShell(string command, IReadOnlyList<string> args, int maxBytes, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        if (args.Count > 0)
        {
            info.ArgumentList.Add("sh");
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return HostReadResult.Failed(ex.Message);
        }

        using (process)
        {
            try
            {
                process.StandardInput.Close();
                var reading = Task.Run(() => ReadBounded(process.StandardOutput.BaseStream, maxBytes));
                if (!reading.Wait(timeout) || !process.WaitForExit(timeout))
                {
                    return HostReadResult.Failed($"it did not finish within {timeout.TotalSeconds:0} s and was killed");
                }

                var output = reading.Result;
                return output.Status == HostReadStatus.Ok ? HostReadResult.Ok(output.Data, process.ExitCode) : output;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
            }
        }
    }

    public bool IsReadable(string path) => Sys.access(path, Sys.R_OK) == 0;

    public bool IsRegularFile(string path) => Mode(path, follow: true) is { } mode && (mode & FileTypeMask) == RegularFileType;

    public bool IsDirectory(string path) => Mode(path, follow: true) is { } mode && (mode & FileTypeMask) == DirectoryType;

    public bool IsSymbolicLink(string path) => Mode(path, follow: false) is { } mode && (mode & FileTypeMask) == SymbolicLinkType;

    public string? GetRealPath(string path, out string? error)
    {
        error = null;
        var resolved = Sys.realpath(path, 0);
        if (resolved == 0)
        {
            error = Sys.strerror(Marshal.GetLastPInvokeError());
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Sys.free(resolved);
        }
    }

    public unsafe ulong? GetInode(string path)
    {
        byte* buffer = stackalloc byte[Sys.StatxBytes];
        if (Sys.statx(Sys.AT_FDCWD, path, Sys.AT_SYMLINK_NOFOLLOW, Sys.STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_ino is the u64 at offset 32 on every architecture.
        return *(ulong*)(buffer + 32);
    }

    public IReadOnlyList<string>? Glob(string pattern) =>
        FileSystem.UnixFileSystem.RunGlob(pattern, Sys.GLOB_MARK | Sys.GLOB_NOCHECK);

    private static unsafe int? Mode(string path, bool follow)
    {
        byte* buffer = stackalloc byte[Sys.StatxBytes];
        if (Sys.statx(Sys.AT_FDCWD, path, follow ? 0 : Sys.AT_SYMLINK_NOFOLLOW, Sys.STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_mode is the u16 at offset 28.
        return *(ushort*)(buffer + 28);
    }

    private static HostReadResult ReadBounded(Stream stream, int maxBytes)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return HostReadResult.TooLarge(buffer.Length + read);
            }

            buffer.Write(chunk, 0, read);
        }

        return HostReadResult.Ok(buffer.ToArray());
    }

    private static string? NameAt(nint record) =>
        record == 0 ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(record));

    /// <summary>The environment in environ order (from /proc/self/environ), or sorted when that is unreadable.</summary>
    private static List<KeyValuePair<string, string>> ReadEnvironment()
    {
        var result = new List<KeyValuePair<string, string>>();
        try
        {
            var bytes = File.ReadAllBytes("/proc/self/environ");
            foreach (var entry in Encoding.UTF8.GetString(bytes).Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = entry.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    result.Add(new KeyValuePair<string, string>(entry[..eq], entry[(eq + 1)..]));
                }
            }

            return result;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            result.Add(new KeyValuePair<string, string>((string)entry.Key, (string?)entry.Value ?? string.Empty));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }
}
