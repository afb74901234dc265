namespace Emperor.Unix;

/// <summary>Anchor type for architecture tests.</summary>
internal static class AssemblyMarker;
