using Emperor.Core.VassalRole;

namespace Emperor.Core.Abstractions;

/// <summary>
/// Binds listening sockets for the Emperor to hold across a vassal's restarts (held sockets). The real one binds
/// with the Emperor's privileges, exactly as the vassal role would bind them; tests pass a fake.
/// </summary>
internal interface ISocketBinder
{
    /// <summary>Binds and listens; null with the reason (address and errno text) in <paramref name="error"/>.</summary>
    IHeldSocket? Bind(SocketSpec spec, SocketOptions options, out string? error);
}

/// <summary>A bound, listening socket the Emperor owns (close-on-exec in the Emperor; children get duplicates).</summary>
internal interface IHeldSocket : IDisposable
{
    int Fd { get; }
}

/// <summary>How a vassal's sockets are bound: <c>listen</c>, <c>chmod-socket</c>, <c>chown-socket</c>.</summary>
internal sealed record SocketOptions(int Backlog, int? ChmodSocket, string? ChownSocket);

/// <summary>A listening socket handed to a child: the descriptor (inherited at the same number) and its address as written.</summary>
internal readonly record struct PassedSocket(int Fd, string Address);
