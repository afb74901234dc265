namespace Emperor.Core.Config;

/// <summary>
/// Everything the configuration language needs from the operating system, and nothing more. Core never touches
/// files, processes, the environment or the clock itself; the real implementation is
/// <c>Emperor.Unix.Config.SystemConfigHost</c>, tests use an in-memory fake. Relative paths are resolved by the
/// host against its working directory, as uWSGI's open(2)/stat(2) calls are.
/// </summary>
internal interface IConfigHost
{
    /// <summary>Process facts behind the static magic variables.</summary>
    ConfigHostFacts Facts { get; }

    /// <summary>The environment at startup, in <c>environ</c> order (parse_sys_envs walks it in that order).</summary>
    IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    /// <summary>Reads a whole file (open + read; FIFOs and /proc files read to EOF). Never more than <paramref name="maxBytes"/>.</summary>
    HostReadResult ReadFile(string path, int maxBytes);

    /// <summary>The config the Emperor pushed for <c>emperor://NAME</c> (spec §7.3), or NotAvailable.</summary>
    HostReadResult ReadPushedConfig(string name, int maxBytes);

    /// <summary>
    /// Reads standard input (fd 0) to its end, for the config name <c>-</c> (core/io.c <c>uwsgi_open_and_read</c>).
    /// Like uWSGI's read, a second call finds the stream at its end and returns no bytes.
    /// </summary>
    HostReadResult ReadStandardInput(int maxBytes);

    /// <summary>Runs <c>/bin/sh -c COMMAND</c> and returns its standard output and exit status (the exec:// scheme).</summary>
    HostReadResult RunCommand(string command, int maxBytes);

    /// <summary>access(path, R_OK) == 0 (<c>if-exists</c>).</summary>
    bool IsReadable(string path);

    /// <summary>stat(2) succeeds and the target is a regular file (<c>if-file</c>).</summary>
    bool IsRegularFile(string path);

    /// <summary>stat(2) succeeds and the target is a directory (<c>if-dir</c>).</summary>
    bool IsDirectory(string path);

    /// <summary>lstat(2) succeeds and the name is a symbolic link (the <c>.skel</c> rule of <c>%p</c>).</summary>
    bool IsSymbolicLink(string path);

    /// <summary>realpath(3) of the name, or <see langword="null"/> with the reason in <paramref name="error"/>.</summary>
    string? GetRealPath(string path, out string? error);

    /// <summary>lstat(2) st_ino, or <see langword="null"/> when lstat fails (<c>%i</c>).</summary>
    ulong? GetInode(string path);

    /// <summary>glob(3) with GLOB_MARK | GLOB_NOCHECK: sorted matches, directories with a trailing '/', the pattern
    /// itself when nothing matches; <see langword="null"/> when glob fails.</summary>
    IReadOnlyList<string>? Glob(string pattern);
}
