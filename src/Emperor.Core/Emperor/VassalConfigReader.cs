using Emperor.Core.Abstractions;
using Emperor.Core.Config;

namespace Emperor.Core.Emperor;

/// <summary>
/// The Emperor's reading of a vassal config, before the spawn: the same arguments, working directory, environment
/// and pushed config the vassal role will see (<see cref="LaunchConfigHost"/>), through the machine's config host.
/// A config whose reading would run a command (<c>exec://</c>) is not read: the Emperor may be root and the vassal
/// not, and nothing the Emperor does on its behalf may run its commands. A reading with errors is returned as it is:
/// the vassal role would refuse the same config, so the Emperor refuses it before spending a process on it
/// (<see cref="ConfigRefusal"/>). Pure given the host.
/// </summary>
internal sealed class VassalConfigReader(IConfigHost machine) : IVassalConfigReader
{
    /// <summary>
    /// The largest file the Emperor reads before a spawn. It reads on its loop thread, and a 5 MB file of warnings
    /// takes seconds to read (the stats socket went unanswered meanwhile in the soak); a real config is a few kB. A
    /// larger one is not judged here: its vassal reads it (and the crash-loop floor bounds a bad one).
    /// </summary>
    public const int MaxFileBytes = 256 * 1024;

    private static readonly ConfigLimits s_limits = ConfigLimits.Default with { MaxFileBytes = MaxFileBytes };

    public ConfigLoadResult? Read(LaunchRequest request, out string? why)
    {
        var host = new LaunchConfigHost(machine, request);
        var result = ConfigLoader.Load(request.Arguments.Skip(1).ToList(), host, s_limits);
        if (host.CommandRefused)
        {
            why = "its config runs a command (exec://) while it is read";
            return null;
        }

        if (result.Diagnostics.Any(d => d.Code == ConfigDiagnosticCode.FileTooLarge))
        {
            why = $"its config is larger than the {MaxFileBytes} bytes the Emperor reads before a spawn";
            return null;
        }

        why = null;
        return result;
    }

    /// <summary>The machine as the vassal will see it: its cwd, its environment, its pushed config, no commands.</summary>
    private sealed class LaunchConfigHost(IConfigHost machine, LaunchRequest request) : IConfigHost
    {
        private readonly string _cwd = request.WorkingDirectory.TrimEnd('/');

        public bool CommandRefused { get; private set; }

        public ConfigHostFacts Facts { get; } = machine.Facts with { Cwd = request.WorkingDirectory };

        public IReadOnlyList<KeyValuePair<string, string>> Environment => request.Environment;

        public HostReadResult ReadFile(string path, int maxBytes) => machine.ReadFile(Rooted(path), maxBytes);

        public HostReadResult ReadPushedConfig(string name, int maxBytes) =>
            request.InlineConfig is not { } inline ? HostReadResult.NotAvailable("no pushed config")
            : inline.Length > maxBytes ? HostReadResult.TooLarge(inline.Length)
            : HostReadResult.Ok(inline);

        /// <summary>A vassal's standard input is /dev/null (spec §3.2): <c>-</c> reads nothing there.</summary>
        public HostReadResult ReadStandardInput(int maxBytes) => HostReadResult.Ok(ReadOnlyMemory<byte>.Empty);

        public HostReadResult RunCommand(string command, int maxBytes)
        {
            CommandRefused = true;
            return HostReadResult.Failed("not run by the Emperor");
        }

        public bool IsReadable(string path) => machine.IsReadable(Rooted(path));

        public bool IsRegularFile(string path) => machine.IsRegularFile(Rooted(path));

        public bool IsDirectory(string path) => machine.IsDirectory(Rooted(path));

        public bool IsSymbolicLink(string path) => machine.IsSymbolicLink(Rooted(path));

        public string? GetRealPath(string path, out string? error) => machine.GetRealPath(Rooted(path), out error);

        public ulong? GetInode(string path) => machine.GetInode(Rooted(path));

        public IReadOnlyList<string>? Glob(string pattern)
        {
            if (pattern.StartsWith('/'))
            {
                return machine.Glob(pattern);
            }

            // glob(3) of a relative pattern answers relative names: strip the directory we added.
            var prefix = _cwd + "/";
            return machine.Glob(prefix + pattern)?.Select(m => m.StartsWith(prefix, StringComparison.Ordinal) ? m[prefix.Length..] : m).ToList();
        }

        private string Rooted(string path) => path.Length == 0 || path[0] == '/' ? path : _cwd + "/" + path;
    }
}
