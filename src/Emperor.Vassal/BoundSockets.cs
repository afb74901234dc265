using Emperor.Core.Abstractions;
using Emperor.Core.VassalRole;
using Emperor.Unix.Net;
using Emperor.Unix.Processes;

namespace Emperor.Vassal;

/// <summary>
/// The declared sockets, bound while the vassal is still privileged (ports below 1024, socket paths) — or, for a
/// socket the Emperor already holds (<see cref="HeldSocketVariables"/>), its inherited fd, so that a restart never
/// closes the listening socket. The on-demand socket the Emperor woke us for comes first.
/// </summary>
internal static class BoundSockets
{
    /// <summary>Keeps the bound fds alive until the exec.</summary>
    private static readonly List<SafeFd> s_alive = [];

    public static List<(SocketSpec Spec, int Fd)> Bind(VassalPlan plan, IReadOnlyDictionary<string, int> held, int? onDemandFd)
    {
        var result = new List<(SocketSpec, int)>();
        if (onDemandFd is { } od)
        {
            result.Add((new SocketSpec("socket", "on-demand", SocketAddressKind.Unix, string.Empty, 0, string.Empty), od));
        }

        var options = new SocketOptions(plan.ListenBacklog, plan.ChmodSocket, plan.ChownSocket);
        foreach (var spec in plan.Sockets)
        {
            if (held.TryGetValue(spec.Address, out var fd))
            {
                result.Add((spec, fd));
                continue;
            }

            var bound = ListeningSockets.BindFd(spec, options, out var error) ?? throw new VassalFailure(error ?? "cannot bind " + spec.Address);
            s_alive.Add(bound);
            result.Add((spec, bound.Fd));
        }

        return result;
    }
}
