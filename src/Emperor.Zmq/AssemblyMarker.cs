namespace Emperor.Zmq;

/// <summary>Anchor type for architecture tests.</summary>
internal static class AssemblyMarker;
