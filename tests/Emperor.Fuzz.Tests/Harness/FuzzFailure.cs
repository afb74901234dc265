namespace Emperor.Fuzz.Tests.Harness;

/// <summary>What broke: the kind (crash, hang, nondeterministic), the details, the input as found and as minimized,
/// and where both were saved.</summary>
internal sealed record FuzzFailure(string Kind, string Details, byte[] Input, byte[] Minimized, string SavedTo)
{
    public override string ToString() =>
        $"{Kind}: {Details}\n  input ({Input.Length} bytes) saved as {SavedTo}\n  minimized ({Minimized.Length} bytes): \"{Invariant.Escape(System.Text.Encoding.UTF8.GetString(Minimized), 400)}\"";
}
