using Emperor.Core.Config;

namespace Emperor.Core.Abstractions;

/// <summary>
/// Reads a vassal's configuration the way its vassal role will (same arguments, working directory, environment
/// and pushed config), so the Emperor can act on what the file declares before it starts the process (the sockets
/// it holds, whether it can start at all). Never runs commands: a config that needs <c>exec://</c> to be read is not read by the Emperor.
/// </summary>
internal interface IVassalConfigReader
{
    /// <summary>
    /// The reading (options, where each was written, and every diagnostic, errors included), or null with the reason
    /// when the config cannot be read safely (it would run a command).
    /// </summary>
    ConfigLoadResult? Read(LaunchRequest request, out string? why);
}
