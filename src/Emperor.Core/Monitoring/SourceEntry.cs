namespace Emperor.Core.Monitoring;

/// <summary>
/// One vassal definition as a monitor saw it in one scan.
/// </summary>
/// <param name="Name">The vassal name (a dir entry's basename, a glob result, a database row's name).</param>
/// <param name="ModifiedNs">Modification time in nanoseconds since the epoch, at full resolution.</param>
/// <param name="Uid">Owner uid (tyrant mode).</param>
/// <param name="Gid">Owner gid (tyrant mode).</param>
/// <param name="InlineConfig">Config text supplied by the monitor (pushed as <c>emperor://NAME</c>), or null for a file.</param>
/// <param name="Path">Absolute path of the file for file monitors, else null.</param>
internal sealed record SourceEntry(string Name, long ModifiedNs, int Uid, int Gid, string? InlineConfig = null, string? Path = null);
