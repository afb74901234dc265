namespace Emperor.Vassal;

/// <summary>An expected failure of the vassal role: reported as one line, then the process exits 1.</summary>
internal sealed class VassalFailure(string message) : Exception(message);
