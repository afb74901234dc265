namespace Emperor.Fuzz.Tests.Harness;

/// <summary>A parser returned, but what it returned breaks its contract.</summary>
internal sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
