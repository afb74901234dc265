using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;

namespace Emperor.Hosting;

/// <summary>
/// The listening sockets the Emperor holds for its vassals, by vassal name. A socket is bound the first time a
/// config declares it and stays open across restarts, crashes, respawns, the blacklist and reloads; it is closed only
/// when the vassal goes away or its socket line changes (then only what changed is rebound). Touched only by the
/// event-loop thread.
/// </summary>
internal sealed class HeldSockets(ISocketBinder binder) : IDisposable
{
    private readonly Dictionary<string, List<Held>> _byVassal = new(StringComparer.Ordinal);

    /// <summary>Number of sockets held for all vassals (stats, leak checks).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Makes the held set of <paramref name="vassal"/> exactly <paramref name="specs"/>: keeps what is unchanged,
    /// closes what is no longer declared, binds what is new. On a bind failure the sockets bound so far stay held
    /// (a fix of the failing line reuses them) and the error names the address and errno.
    /// </summary>
    public bool TryPrepare(string vassal, IReadOnlyList<SocketSpec> specs, SocketOptions options, out List<PassedSocket> passed, out string? error) =>
        TryPrepare(vassal, specs, options, out passed, out error, out _);

    /// <summary>As the other overload, and says which socket line could not be bound (<paramref name="failed"/>, else null).</summary>
    /// <param name="vassal">The vassal's name.</param>
    /// <param name="specs">Its socket lines, in order.</param>
    /// <param name="options">Its listen, chmod-socket and chown-socket.</param>
    /// <param name="passed">The sockets to pass, in the order of the lines.</param>
    /// <param name="error">Why a line could not be bound.</param>
    /// <param name="failed">The line that could not be bound.</param>
    public bool TryPrepare(string vassal, IReadOnlyList<SocketSpec> specs, SocketOptions options, out List<PassedSocket> passed, out string? error, out SocketSpec? failed)
    {
        passed = new List<PassedSocket>(specs.Count);
        error = null;
        failed = null;
        _byVassal.TryGetValue(vassal, out var current);
        current ??= [];

        // Close first what is not wanted any more: a changed line may rebind the same port.
        for (var i = current.Count - 1; i >= 0; i--)
        {
            var h = current[i];
            if (!specs.Any(s => Same(h, s, options)))
            {
                h.Socket.Dispose();
                current.RemoveAt(i);
                Count--;
            }
        }

        foreach (var spec in specs)
        {
            var existing = current.Find(h => Same(h, spec, options));
            if (existing is null)
            {
                var socket = binder.Bind(spec, options, out error);
                if (socket is null)
                {
                    failed = spec;
                    Store(vassal, current);
                    return false;
                }

                existing = new Held(spec, options, socket);
                current.Add(existing);
                Count++;
            }

            if (!passed.Exists(p => p.Fd == existing.Socket.Fd))
            {
                passed.Add(new PassedSocket(existing.Socket.Fd, spec.Address));
            }
        }

        Store(vassal, current);
        return true;
    }

    /// <summary>The addresses held for a vassal (stats).</summary>
    public IReadOnlyList<string> AddressesOf(string vassal) =>
        _byVassal.TryGetValue(vassal, out var list) ? list.ConvertAll(h => h.Spec.Address) : [];

    /// <summary>The vassal went away (or its sockets can no longer be known): closes everything held for it.</summary>
    public void Release(string vassal)
    {
        if (_byVassal.Remove(vassal, out var list))
        {
            foreach (var h in list)
            {
                h.Socket.Dispose();
            }

            Count -= list.Count;
        }
    }

    public void Dispose()
    {
        foreach (var name in _byVassal.Keys.ToList())
        {
            Release(name);
        }
    }

    /// <summary>The same socket: same address, kind and binding options (a changed option means a rebind).</summary>
    private static bool Same(Held h, SocketSpec s, SocketOptions options) =>
        h.Spec.Address == s.Address && h.Spec.Kind == s.Kind && h.Options == options;

    private void Store(string vassal, List<Held> list)
    {
        if (list.Count == 0)
        {
            _byVassal.Remove(vassal);
        }
        else
        {
            _byVassal[vassal] = list;
        }
    }

    private sealed record Held(SocketSpec Spec, SocketOptions Options, IHeldSocket Socket);
}
