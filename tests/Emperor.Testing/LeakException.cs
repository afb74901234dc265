namespace Emperor.Testing;

/// <summary>A test left a process, a zombie or a watched fd behind (see <see cref="LeakGuard"/>).</summary>
public sealed class LeakException : Exception
{
    public LeakException()
    {
    }

    public LeakException(string message)
        : base(message)
    {
    }

    public LeakException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
