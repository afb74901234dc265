using System.Net;
using System.Net.Sockets;
using Emperor.Core.Config.Options;

namespace Emperor.Hosting.Net;

/// <summary>
/// What the stats, command and metrics services share: binding an address the uWSGI way (a colon means TCP
/// <c>host:port</c>, <c>:port</c> or <c>[v6]:port</c>; <c>@name</c> an abstract UNIX socket; anything else a UNIX
/// socket path, a stale socket file replaced) and an accept loop that serves each connection on its own task,
/// keeps going past reset connections and ends when the listener is disposed or the token is cancelled
/// (Kestrel's contract). Addresses are parsed by <see cref="ServiceAddress"/>, which the option check used
/// before anything started, so a bad one never reaches this class as an exception.
/// </summary>
internal static class ServiceSocket
{
    /// <summary>True for a UNIX socket path (a file to remove when done); false for TCP and abstract names.</summary>
    public static bool IsUnixPath(string address) =>
        ServiceAddress.TryParse(address, out var parsed, out _) && parsed.Kind == ServiceAddressKind.UnixPath;

    /// <summary>The endpoint of a parsed address (abstract names get their leading NUL byte here).</summary>
    public static EndPoint EndPointOf(ServiceAddress address) => address.Kind switch
    {
        ServiceAddressKind.Tcp => new IPEndPoint(address.Ip!, address.Port),
        ServiceAddressKind.UnixAbstract => new UnixDomainSocketEndPoint("\0" + address.Path),
        _ => new UnixDomainSocketEndPoint(address.Path),
    };

    /// <summary>
    /// Binds and listens. A UNIX socket file already at the path is replaced when <paramref name="replaceLive"/>
    /// is set; otherwise only when nobody answers on it (it is stale), and a live one throws
    /// <see cref="SocketHeldException"/>.
    /// </summary>
    public static Socket Listen(string address, int backlog, bool replaceLive = true)
    {
        if (!ServiceAddress.TryParse(address, out var parsed, out var error))
        {
            throw new IOException($"{address}: {error}");
        }

        if (parsed.Kind == ServiceAddressKind.Tcp)
        {
            var tcp = new Socket(parsed.Ip!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(EndPointOf(parsed));
                tcp.Listen(backlog);
                return tcp;
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }

        if (parsed.Kind == ServiceAddressKind.UnixPath && File.Exists(address))
        {
            if (!replaceLive && Answers(parsed))
            {
                throw new SocketHeldException(address);
            }

            File.Delete(address);
        }

        var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            unix.Bind(EndPointOf(parsed));
            unix.Listen(backlog);
            return unix;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && !replaceLive)
        {
            // Another process bound it between our check and our bind: it is live.
            unix.Dispose();
            throw new SocketHeldException(address);
        }
        catch
        {
            unix.Dispose();
            throw;
        }
    }

    /// <summary>Whether something accepts connections on a UNIX socket (a live owner) or not (a stale file).</summary>
    public static bool Answers(ServiceAddress address)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(EndPointOf(address));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task AcceptLoopAsync(Socket listener, Func<Socket, CancellationToken, Task> serve, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset before we accepted it: keep serving the others
            }

            _ = serve(client, ct);
        }
    }
}
